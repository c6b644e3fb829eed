"""Parameters and FLOPs of the NAS-Bench-101 network built from a cell (CIFAR-10, 32x32 input).

Rules from ../shared/notes/cost-model.md (read from the benchmark's model code): a 3x3 conv stem
3->128, three stacks of three modules (the cell) at widths 128/256/512 and sides 32/16/8 with a
2x2 max-pool between stacks, global average pool and a 512->10 dense layer. Params are trainable
tensors (conv kernels, BN gamma/beta, dense weight+bias); FLOPs are multiply-accumulates of convs
and the dense layer (max-pool, BN, ReLU, add, concat cost 0).

Within a module the output width C is split among the interior vertices that feed the output
(floor(C/k) each, the first C mod k in vertex order get one more), other interior vertices take the
widest of their interior successors; a vertex fed by the input gets a 1x1 conv+BN+ReLU projection,
charged to that vertex (the output's projection to the output). The split depends on vertex order,
so callers pass the canonical order (``canonical.canonical_padded``) to get the benchmark's numbers.

Everything is vectorised over a batch of cells in the 7-vertex padded layout: ``matrices`` (N,7,7)
0/1 with the output at index 6 and unused vertices edge-free, ``codes`` (N,7) op codes (``cell.OPS``
indices; anything for unused vertices).
"""

import numpy as np

from service.spaces.nb101.cell import CONV1X1, CONV3X3, MAX_VERTICES, OP_CODE

STEM_CHANNELS = 128
STEM_PARAMS = 3 * 3 * 3 * STEM_CHANNELS + 2 * STEM_CHANNELS  # 3,712
STEM_FLOPS = 3 * 3 * 3 * STEM_CHANNELS * 32 * 32  # 3,538,944
HEAD_PARAMS = 512 * 10 + 10  # 5,130
HEAD_FLOPS = 512 * 10  # 5,120
# The 9 modules in network order: (input width, output width C, spatial side h).
MODULES = tuple(
    (c_in, 128 << s, 32 >> s) for s in range(3) for c_in in ((128 if s == 0 else 64 << s), 128 << s, 128 << s)
)
NUM_MODULES = len(MODULES)
_OUT = MAX_VERTICES - 1
_INTERIOR = slice(1, _OUT)


def vertex_channels(matrices: np.ndarray, width: int) -> np.ndarray:
    """(N,7) int64 channels of the interior vertices (0 elsewhere) in a module of output width C."""
    adjacency = matrices.astype(bool)
    feeds = adjacency[:, _INTERIOR, _OUT]  # (N,5)
    k = feeds.sum(axis=1, keepdims=True)
    safe_k = np.maximum(k, 1)
    rank = np.cumsum(feeds, axis=1) - 1
    channels = np.zeros(matrices.shape[:2], dtype=np.int64)
    channels[:, _INTERIOR] = np.where(feeds, width // safe_k + (rank < width % safe_k), 0)
    inner = adjacency[:, _INTERIOR, _INTERIOR]  # (N,5,5) interior -> interior
    for v in range(_OUT - 2, -1, -1):  # interior position v = vertex v+1, last to first
        widest = (inner[:, v, :] * channels[:, _INTERIOR]).max(axis=1)
        channels[:, v + 1] = np.where(feeds[:, v], channels[:, v + 1], widest)
    return channels


def vertex_costs(matrices: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-vertex (params, FLOPs) in each of the 9 modules: two (N,9,7) int64 arrays."""
    n = len(matrices)
    params = np.zeros((n, NUM_MODULES, MAX_VERTICES), dtype=np.int64)
    flops = np.zeros_like(params)
    from_input = matrices[:, 0, :].astype(np.int64)  # (N,7): edge 0 -> v
    kernel = np.select([codes == OP_CODE[CONV3X3], codes == OP_CODE[CONV1X1]], [9, 1], 0)
    channels_by_width: dict[int, np.ndarray] = {}
    for m, (c_in, width, side) in enumerate(MODULES):
        if width not in channels_by_width:
            channels_by_width[width] = vertex_channels(matrices, width)
        c = channels_by_width[width].copy()
        c[:, _OUT] = width
        proj = from_input * c_in * c
        conv = kernel * c * c
        bn = 2 * c * (from_input + (kernel > 0))
        params[:, m] = proj + conv + bn
        flops[:, m] = (proj + conv) * side * side
    return params, flops


def network_cost(matrices: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whole-network (trainable params, FLOPs) per cell: two (N,) int64 arrays."""
    params, flops = vertex_costs(matrices, codes)
    return (
        STEM_PARAMS + params.sum(axis=(1, 2)) + HEAD_PARAMS,
        STEM_FLOPS + flops.sum(axis=(1, 2)) + HEAD_FLOPS,
    )
