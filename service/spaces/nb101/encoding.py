"""ReNAS feature tensors of NAS-Bench-101 cells (encoding version 1).

Every cell is first put in its canonical vertex order (``graph.canonical_forms``: the member of its
isomorphism class that the benchmark itself stored), so all isomorphic cells get the *identical*
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

from collections.abc import Iterator, Sequence

import numpy as np

from service.spaces.nb101.cell import MAX_VERTICES, OPS, Cell
from service.spaces.nb101.cost import NUM_MODULES, vertex_costs
from service.spaces.nb101.graph import canonical_forms

ENCODING_VERSION = 1
FULL, TYPE = "renas-full", "renas-type"
SHAPES = {FULL: (1 + 2 * NUM_MODULES, MAX_VERTICES, MAX_VERTICES), TYPE: (1, MAX_VERTICES, MAX_VERTICES)}
FLOPS_SCALE = 1e8
PARAMS_SCALE = 1e6
PAD = len(OPS)  # op code of a padding vertex
_TYPE_VALUE = np.array(
    [{"input": 1, "conv1x1-bn-relu": 2, "conv3x3-bn-relu": 3, "maxpool3x3": 4, "output": 5}[op] for op in OPS]
    + [0],
    dtype=np.float32,
)


def _padded_positions(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns, in the padded 7-vertex layout, of an n-vertex cell's edge bits."""
    moved = {n - 1: MAX_VERTICES - 1}
    pairs = [(x, moved.get(y, y)) for y in range(n) for x in range(y)]
    return np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64)


_POSITIONS = {n: _padded_positions(n) for n in range(2, MAX_VERTICES + 1)}


def canonical_groups(cells: Sequence[Cell]) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Per vertex count n present: (n, indices into ``cells``, canonical edge integers, canonical
    interior labels 0..2 (len, n-2)), each group canonicalised by one vectorised ``canonical_forms``."""
    sizes = np.fromiter((c.num_vertices for c in cells), dtype=np.int64, count=len(cells))
    for n in np.unique(sizes).tolist():
        index = np.flatnonzero(sizes == n)
        bits = np.fromiter((cells[i].bits for i in index), dtype=np.int64, count=len(index))
        labels = (
            np.array([cells[i].codes[1:-1] for i in index], dtype=np.int64).reshape(len(index), n - 2) - 1
        )
        yield n, index, *canonical_forms(n, bits, labels)


def canonical_padded(cells: Sequence[Cell]) -> tuple[np.ndarray, np.ndarray]:
    """(N,7,7) int8 canonical adjacency and (N,7) int8 op codes, padded before the output."""
    total = len(cells)
    matrices = np.zeros((total, MAX_VERTICES, MAX_VERTICES), dtype=np.int8)
    codes = np.full((total, MAX_VERTICES), PAD, dtype=np.int8)
    codes[:, 0], codes[:, -1] = OPS.index("input"), OPS.index("output")
    for n, index, canon_bits, canon_labels in canonical_groups(cells):
        rows, cols = _POSITIONS[n]
        edge_bits = (canon_bits[:, None] >> np.arange(len(rows), dtype=np.int64)) & 1
        matrices[index[:, None], rows, cols] = edge_bits
        codes[index, 1 : n - 1] = canon_labels + 1
    return matrices, codes


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
