"""Parameters and FLOPs of the NAS-Bench-201 CIFAR-10 network, against published and hand-counted values."""

import numpy as np

from service.spaces.nb201.arch import Arch, codes_of
from service.spaces.nb201.cost import (
    cell_cost,
    fixed_cost,
    head_cost,
    network_cost,
    reduction_cost,
    stem_cost,
)
from service.spaces.nb201.graph import SPACE_SIZE, codes_at

CELL_0 = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
PUBLISHED = "|skip_connect~0|+|none~0|nor_conv_3x3~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
EMPTY = Arch(("none",) * 6)
CONV3_0_TO_3 = Arch(("none", "none", "none", "nor_conv_3x3", "none", "none"))


def cost_of(*archs: Arch) -> tuple[list[int], list[int]]:
    params, flops = network_cost(codes_of(list(archs)))
    return params.tolist(), flops.tolist()


def test_published_values() -> None:
    params, flops = cost_of(Arch.from_string(CELL_0), Arch.from_string(PUBLISHED))
    assert flops == [15_647_370, 113_951_370]  # 15.64737 M and 113.95137 M
    assert params[1] == 802_426  # 0.802426 M


def test_parts_outside_the_cells() -> None:
    assert stem_cost() == (464, 442_368)
    assert reduction_cost(16, 16) == (14_464, 3_670_016)
    assert reduction_cost(32, 8) == (57_600, 3_670_016)
    assert head_cost() == (778, 650)
    assert fixed_cost() == (464 + 14_464 + 57_600 + 778, 442_368 + 2 * 3_670_016 + 650)
    assert cost_of(EMPTY) == ([fixed_cost()[0]], [fixed_cost()[1]])


def test_one_conv_per_cell_by_hand() -> None:
    # a 3x3 conv c->c with BN: 9c^2 + 2c params, 9 c^2 h^2 MACs (c^2 h^2 = 262,144 in every stage).
    params, flops = cell_cost(codes_of([CONV3_0_TO_3]), stage=2)
    assert (params.tolist(), flops.tolist()) == ([9 * 64 * 64 + 2 * 64], [9 * 262_144])
    stage_params = sum(9 * c * c + 2 * c for c in (16, 32, 64))
    assert cost_of(CONV3_0_TO_3) == (
        [fixed_cost()[0] + 5 * stage_params],
        [fixed_cost()[1] + 15 * 9 * 262_144],
    )


def test_ops_cut_off_by_none_edges_still_count() -> None:
    dead_conv = Arch(("nor_conv_3x3", "none", "none", "none", "none", "none"))  # node 1 feeds nothing
    assert cost_of(dead_conv) == cost_of(CONV3_0_TO_3)


def test_pools_skips_and_none_are_free() -> None:
    assert cost_of(Arch(("avg_pool_3x3", "skip_connect") * 3)) == cost_of(EMPTY)


def test_batch_equals_one_by_one() -> None:
    codes = codes_at(np.random.default_rng(0).integers(0, SPACE_SIZE, 50))
    params, flops = network_cost(codes)
    singles = [network_cost(row[None]) for row in codes]
    assert params.dtype == flops.dtype == np.int64
    assert params.tolist() == [int(p[0]) for p, _ in singles]
    assert flops.tolist() == [int(f[0]) for _, f in singles]
