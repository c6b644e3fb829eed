"""ReNAS feature tensors of NAS-Bench-101 cells (encoding version 1).

Every cell is first put in its canonical vertex order (``canonical.canonical_padded``: the member of
its isomorphism class that the benchmark itself stored), so all isomorphic cells get the *identical*
tensor; ReNAS's depth sort with tie augmentation is not needed. Cells with n < 7 vertices are padded
to 7 by inserting edge-free vertices before the output, so the output is always vertex 6 (the
ReNAS figure's "zero-padding at the penultimate row and column").

With A the padded canonical 7x7 adjacency (A[i][j] = 1 for an edge i->j) and a per-vertex vector v,
a feature matrix is ``M[i][j] = A[i][j] * v[j]``: every edge carries the value of the vertex it
enters (numpy/torch broadcasting of v over A's rows). Every vertex but the input has an in-edge,
and the input's type is constant and its costs zero, so nothing is lost (``v[i]`` would drop the
output's projection cost).

``renas-full``, float32 (19, 7, 7):
  - channel 0: type matrix, v = op type: input 1, conv1x1-bn-relu 2, conv3x3-bn-relu 3,
    maxpool3x3 4, output 5 (ReNAS's numbering), padding 0;
  - channels 1..9: FLOPs matrices of the network's 9 modules in network order (stack 1 modules
    1-3, stack 2, stack 3), v = that vertex's multiply-accumulates (``cost.vertex_costs``) / 1e8;
  - channels 10..18: parameter matrices of the same 9 modules, v = trainable parameters / 1e6.
  The fixed scales keep values within about 0..3 (largest vertex: ~1.6e8 MACs, ~2.5e6 params);
  they are constants, not fitted to any data. Predictors may standardise further.
``renas-type``, float32 (1, 7, 7): channel 0 alone (ReNAS-1/3/5).
"""

import numpy as np

from service.spaces.nb101.canonical import canonical_padded
from service.spaces.nb101.cell import MAX_VERTICES, OPS, Cell
from service.spaces.nb101.cost import NUM_MODULES, vertex_costs

ENCODING_VERSION = 1
FULL, TYPE = "renas-full", "renas-type"
SHAPES = {FULL: (1 + 2 * NUM_MODULES, MAX_VERTICES, MAX_VERTICES), TYPE: (1, MAX_VERTICES, MAX_VERTICES)}
FLOPS_SCALE = 1e8
PARAMS_SCALE = 1e6
_TYPE_VALUE = np.array(
    [{"input": 1, "conv1x1-bn-relu": 2, "conv3x3-bn-relu": 3, "maxpool3x3": 4, "output": 5}[op] for op in OPS]
    + [0],
    dtype=np.float32,
)


def encode_arrays(matrices: np.ndarray, codes: np.ndarray, encoding: str = FULL) -> np.ndarray:
    """Feature tensors (N, *SHAPES[encoding]) from padded canonical arrays (see the module docstring)."""
    if encoding not in SHAPES:
        raise KeyError(f"unknown encoding {encoding!r}; known: {', '.join(SHAPES)}")
    adjacency = matrices.astype(np.float32)
    type_matrix = adjacency * _TYPE_VALUE[codes][:, None, :]
    if encoding == TYPE:
        return type_matrix[:, None]
    params, flops = vertex_costs(matrices, codes)
    out = np.empty((len(matrices), *SHAPES[FULL]), dtype=np.float32)
    out[:, 0] = type_matrix
    edges = adjacency[:, None]  # (N,1,7,7), broadcast over the 9 modules
    columns = slice(1, 1 + NUM_MODULES), slice(1 + NUM_MODULES, None)
    for channels, per_vertex, scale in zip(
        columns, (flops, params), (FLOPS_SCALE, PARAMS_SCALE), strict=True
    ):
        np.multiply(edges, (per_vertex / scale).astype(np.float32)[:, :, None, :], out=out[:, channels])
    return out


def encode(cells: list[Cell], encoding: str = FULL) -> np.ndarray:
    """Feature tensors of cells, identical for isomorphic cells."""
    matrices, codes = canonical_padded(cells)
    return encode_arrays(matrices, codes, encoding)
