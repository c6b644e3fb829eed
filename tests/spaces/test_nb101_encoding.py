"""ReNAS tensors of tiny cells, checked entry by entry."""

import numpy as np
import pytest

from service.spaces.nb101.canonical import canonical_padded
from service.spaces.nb101.cell import Cell
from service.spaces.nb101.encoding import FULL, SHAPES, TYPE, encode

C3, C1, MP = "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"
# input -> conv3x3 -> output, plus input -> output
CHAIN = Cell([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", C3, "output"])


def test_shapes_and_dtype() -> None:
    assert SHAPES == {FULL: (19, 7, 7), TYPE: (1, 7, 7)}
    assert encode([CHAIN, CHAIN]).shape == (2, 19, 7, 7)
    assert encode([CHAIN], TYPE).dtype == np.float32
    with pytest.raises(KeyError, match="unknown encoding 'renas-xl'"):
        encode([CHAIN], "renas-xl")


def test_padding_goes_before_the_output() -> None:
    matrices, codes = canonical_padded([CHAIN])
    expected = np.zeros((7, 7), dtype=int)
    expected[0, 1] = expected[0, 6] = expected[1, 6] = 1
    assert matrices[0].tolist() == expected.tolist()
    assert codes[0].tolist() == [0, 1, 5, 5, 5, 5, 4]  # input, conv3x3, padding x4, output


def test_type_matrix_puts_the_entered_vertex_type_on_each_edge() -> None:
    (tensor,) = encode([CHAIN], TYPE)
    expected = np.zeros((7, 7))
    expected[0, 1] = 3  # edge into the conv3x3
    expected[0, 6] = expected[1, 6] = 5  # edges into the output
    assert tensor[0].tolist() == expected.tolist()


def test_cost_channels_of_the_first_module() -> None:
    (tensor,) = encode([CHAIN])
    # conv3x3 vertex (128 channels, fed by the input): projection 128->128 + 3x3 conv 128->128
    vertex_macs = (128 * 128 + 9 * 128 * 128) * 32 * 32  # 167,772,160
    vertex_params = (128 * 128 + 256) + (9 * 128 * 128 + 256)  # 164,352
    output_macs, output_params = 128 * 128 * 32 * 32, 128 * 128 + 256  # the output's projection
    flops, params = tensor[1], tensor[10]
    assert flops[0, 1] == pytest.approx(vertex_macs / 1e8)
    assert flops[0, 6] == flops[1, 6] == pytest.approx(output_macs / 1e8)
    assert params[0, 1] == pytest.approx(vertex_params / 1e6)
    assert params[0, 6] == pytest.approx(output_params / 1e6)
    assert np.count_nonzero(tensor) == 19 * 3  # every channel is non-zero exactly on the 3 edges


def test_full_starts_with_the_type_matrix() -> None:
    cells = [CHAIN, Cell([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", MP, "output"])]
    assert np.array_equal(encode(cells)[:, :1], encode(cells, TYPE))


def test_isomorphic_cells_get_identical_tensors() -> None:
    branches = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]
    a = Cell(branches, ["input", C1, C3, "output"])
    b = Cell(branches, ["input", C3, C1, "output"])
    tensors = encode([a, b])
    assert np.array_equal(tensors[0], tensors[1])
