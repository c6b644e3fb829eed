"""Cost model on cells whose numbers can be checked by hand (../shared/notes/cost-model.md)."""

import numpy as np

from service.spaces.nb101.canonical import canonical_padded
from service.spaces.nb101.cell import Cell
from service.spaces.nb101.cost import HEAD_PARAMS, STEM_PARAMS, network_cost, vertex_channels, vertex_costs

C3, C1, MP = "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"
# The note's worked example (official params 3,357,767).
EXAMPLE = Cell(
    [
        [0, 1, 0, 0, 0, 0, 1],
        [0, 0, 1, 0, 0, 0, 0],
        [0, 0, 0, 1, 0, 1, 0],
        [0, 0, 0, 0, 1, 0, 1],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 0],
    ],
    ["input", C3, C1, MP, MP, C3, "output"],
)


def _arrays(cell: Cell) -> tuple[np.ndarray, np.ndarray]:
    return canonical_padded([cell])


def test_stem_and_head() -> None:
    assert STEM_PARAMS == 3 * 3 * 3 * 128 + 2 * 128 == 3_712
    assert HEAD_PARAMS == 512 * 10 + 10 == 5_130


def test_input_to_output_cell_is_just_projections() -> None:
    # Each module is one 1x1 conv + BN from its input width to its output width.
    cell = Cell([[0, 1], [0, 0]], ["input", "output"])
    params, flops = network_cost(*_arrays(cell))
    modules = 3 * (128 * 128 + 256) + (128 * 256 + 512) + 2 * (256 * 256 + 512)
    modules += (256 * 512 + 1024) + 2 * (512 * 512 + 1024)
    assert params.tolist() == [3_712 + modules + 5_130] == [882_570]  # official params of this cell
    macs = 3 * 128 * 128 * 32**2 + (128 * 256 + 2 * 256 * 256) * 16**2 + (256 * 512 + 2 * 512 * 512) * 8**2
    assert flops.tolist() == [3_538_944 + macs + 5_120]


def test_worked_example_channels() -> None:
    matrices, _ = _arrays(EXAMPLE)
    assert vertex_channels(matrices, 128)[0, 1:6].tolist() == [43, 43, 43, 43, 42]
    assert vertex_channels(matrices, 256)[0, 1:6].tolist() == [86, 86, 86, 85, 85]
    assert vertex_channels(matrices, 512)[0, 1:6].tolist() == [171, 171, 171, 171, 170]


def test_worked_example_vertex_and_module_costs() -> None:
    params, flops = vertex_costs(*_arrays(EXAMPLE))
    assert params[0, 0].tolist() == [0, 22_317, 1_935, 0, 0, 15_960, 16_640]
    assert flops[0, 0].tolist() == [0, 22_676_480, 1_893_376, 0, 0, 16_257_024, 16_777_216]
    assert (
        params[0].sum(axis=1).tolist() == [56_852] * 3 + [183_959] + [227_735] * 2 + [729_748] + [904_596] * 2
    )


def test_worked_example_network() -> None:
    params, flops = network_cost(*_arrays(EXAMPLE))
    assert params.tolist() == [3_357_767]
    assert flops.tolist() == [501_163_392]


def test_channels_of_a_vertex_not_feeding_the_output_are_its_widest_successors() -> None:
    # input -> 1 -> {2, 3} -> output: 2 and 3 split 128 as 64 + 64; vertex 1 takes 64.
    cell = Cell(
        [[0, 1, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]],
        ["input", C3, C1, C1, "output"],
    )
    assert vertex_channels(_arrays(cell)[0], 128)[0].tolist() == [0, 64, 64, 64, 0, 0, 0]
