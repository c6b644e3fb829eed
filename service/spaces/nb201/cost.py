"""Parameters and FLOPs of the NAS-Bench-201 CIFAR-10 network, counted the way the benchmark counts.

Network (see ../shared/notes/cost-model.md): a 3x3 stem conv 3->16 + BN; three stages of five cells
at width C = 16, 32, 64 and side 32, 16, 8, with a residual reduction block between stages; then
BN + ReLU, global pooling and a 64->10 classifier. FLOPs are multiply-adds of convolutions and the
classifier (which the benchmark charges in*out + out); pools, BN, ReLU and additions cost 0.
Params are trainable tensors (conv kernels, BN gamma and beta, classifier weight and bias).

Every op on every edge counts, even where ``none`` edges cut it off: the benchmark builds and counts
the unpruned cell, so isomorphic cells can differ in cost.
"""

import numpy as np

from service.spaces.nb201.arch import OP_CODE, OPS

STAGE_CHANNELS = (16, 32, 64)
STAGE_SIDES = (32, 16, 8)
CELLS_PER_STAGE = 5
IMAGE_CHANNELS = 3
NUM_CLASSES = 10


def conv_params(k: int, c_in: int, c_out: int) -> int:
    return k * k * c_in * c_out


def conv_flops(k: int, c_in: int, c_out: int, side: int) -> int:
    return k * k * c_in * c_out * side * side


def bn_params(c: int) -> int:
    return 2 * c


def op_costs(c: int, side: int) -> tuple[np.ndarray, np.ndarray]:
    """(params, flops) of each op of ``OPS`` on one edge of a cell of width c at side h (int64, len 5)."""
    params = np.zeros(len(OPS), dtype=np.int64)
    flops = np.zeros(len(OPS), dtype=np.int64)
    for op, k in (("nor_conv_1x1", 1), ("nor_conv_3x3", 3)):  # ReLU -> conv -> BN
        params[OP_CODE[op]] = conv_params(k, c, c) + bn_params(c)
        flops[OP_CODE[op]] = conv_flops(k, c, c, side)
    return params, flops


def stem_cost() -> tuple[int, int]:
    c, side = STAGE_CHANNELS[0], STAGE_SIDES[0]
    return conv_params(3, IMAGE_CHANNELS, c) + bn_params(c), conv_flops(3, IMAGE_CHANNELS, c, side)


def reduction_cost(c: int, side: int) -> tuple[int, int]:
    """Residual block c -> 2c at output side h: two 3x3 convs with BN, plus a 1x1 shortcut without BN."""
    params = conv_params(3, c, 2 * c) + bn_params(2 * c) + conv_params(3, 2 * c, 2 * c) + bn_params(2 * c)
    params += conv_params(1, c, 2 * c)
    flops = conv_flops(3, c, 2 * c, side) + conv_flops(3, 2 * c, 2 * c, side) + conv_flops(1, c, 2 * c, side)
    return params, flops


def head_cost() -> tuple[int, int]:
    c = STAGE_CHANNELS[-1]
    linear = c * NUM_CLASSES + NUM_CLASSES
    return bn_params(c) + linear, linear


def cell_cost(codes: np.ndarray, stage: int) -> tuple[np.ndarray, np.ndarray]:
    """(params, flops) int64 (N,) of one cell of each arch in ``stage`` (0, 1, 2); codes is (N, 6)."""
    params, flops = op_costs(STAGE_CHANNELS[stage], STAGE_SIDES[stage])
    codes = np.asarray(codes)
    return params[codes].sum(axis=1), flops[codes].sum(axis=1)


def fixed_cost() -> tuple[int, int]:
    """(params, flops) of everything outside the cells: stem, both reduction blocks, head."""
    parts = [stem_cost(), head_cost()]
    parts += [reduction_cost(c, side) for c, side in zip(STAGE_CHANNELS[:-1], STAGE_SIDES[1:], strict=True)]
    return sum(p for p, _ in parts), sum(f for _, f in parts)


def network_cost(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(params, flops) int64 (N,) of the whole CIFAR-10 network built from each cell."""
    params, flops = fixed_cost()
    total_params = np.full(len(codes), params, dtype=np.int64)
    total_flops = np.full(len(codes), flops, dtype=np.int64)
    for stage in range(len(STAGE_CHANNELS)):
        cell_params, cell_flops = cell_cost(codes, stage)
        total_params += CELLS_PER_STAGE * cell_params
        total_flops += CELLS_PER_STAGE * cell_flops
    return total_params, total_flops
