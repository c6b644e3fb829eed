"""Graph identity of NAS-Bench-101 cells: the benchmark's module hash and a canonical vertex order.

*Module hash.* The benchmark's isomorphism-invariant md5 (``graph_util.hash_module``): each vertex
starts as md5 of ``str((out_degree, in_degree, label))`` with labels -1 input, -2 output and 0/1/2
for conv3x3/conv1x1/maxpool; then, n times, every vertex becomes md5 of its sorted in-neighbour
hashes, '|', its sorted out-neighbour hashes, '|', its own hash; the cell's hash is md5 of
``str(sorted(vertex_hashes))``. Equal for isomorphic cells; the benchmark checked that it never
merges non-isomorphic ones in this space.

*Canonical order.* Relabelling the interior vertices (input and output stay put) so that the
matrix stays upper-triangular gives every member of an isomorphism class. Of those, the canonical
member has the smallest edge integer (bit ``x + y(y-1)/2`` for the edge x->y), then the
lexicographically smallest interior op labels (conv3x3 < conv1x1 < maxpool). This is the order in
which the benchmark's ``generate_graphs.py`` met graphs, so the canonical member is the one the
benchmark stored and trained: its cost model numbers are the official ones. The choice is vectorised
over a batch of cells with one matrix product per vertex count (<= 120 relabellings each).
"""

import hashlib
import itertools
from collections.abc import Sequence
from functools import cache

import numpy as np

INPUT_LABEL, OUTPUT_LABEL = -1, -2
_LABEL_BASE = 3  # interior labels 0..2
_INVALID = float(
    1 << 22
)  # > every edge integer of <= 7 vertices (21 bits): marks a non-triangular relabelling


def bit_index(x: int, y: int) -> int:
    """Bit of the edge x->y (x < y) in the benchmark's edge integer (column by column)."""
    return x + y * (y - 1) // 2


def labels_of(codes: Sequence[int]) -> list[int]:
    """Benchmark hash labels from op codes (1..3 interior, see ``cell.OPS``)."""
    return [INPUT_LABEL, *(c - 1 for c in codes[1:-1]), OUTPUT_LABEL]


def module_hash(matrix: np.ndarray | Sequence[Sequence[int]], labels: Sequence[int]) -> str:
    """The benchmark's module hash of a pruned cell (see the module docstring)."""
    rows = np.asarray(matrix).tolist()
    n = len(rows)
    ins = [[w for w in range(n) if rows[w][v]] for v in range(n)]
    outs = [[w for w in range(n) if rows[v][w]] for v in range(n)]
    md5 = hashlib.md5
    hashes = [md5(str((len(outs[v]), len(ins[v]), labels[v])).encode()).hexdigest() for v in range(n)]
    for _ in range(n):
        get = hashes.__getitem__
        hashes = [
            md5(
                (
                    "".join(sorted(map(get, ins[v])))
                    + "|"
                    + "".join(sorted(map(get, outs[v])))
                    + "|"
                    + hashes[v]
                ).encode()
            ).hexdigest()
            for v in range(n)
        ]
    return md5(str(sorted(hashes)).encode()).hexdigest()


@cache
def relabellings(n: int) -> np.ndarray:
    """All relabellings of an n-vertex cell that fix input and output: (n-2)! x n, row p maps
    new vertex i to old vertex ``perms[p, i]``; the identity is row 0."""
    return np.array([(0, *p, n - 1) for p in itertools.permutations(range(1, n - 1))], dtype=np.int64)


@cache
def key_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Matrices turning (edge bits, labels) into every relabelling's canonical key by one product.

    ``edge_weights[e, p]``: what old edge e adds to relabelling p's edge integer (2**bit, or
    ``_INVALID`` where p would put it below the diagonal). ``label_weights[v, p]``: the place value
    of old vertex v's label in p's label number (first interior vertex most significant).
    """
    perms = relabellings(n)
    inverse = np.argsort(perms, axis=1)  # old vertex -> new position
    edges = [(x, y) for y in range(n) for x in range(y)]  # in bit order
    edge_weights = np.empty((len(edges), len(perms)))
    for e, (x, y) in enumerate(edges):
        nx, ny = inverse[:, x], inverse[:, y]
        edge_weights[e] = np.where(nx < ny, 2.0 ** (nx + ny * (ny - 1) // 2), _INVALID)
    interior = n - 2
    label_weights = np.zeros((n, len(perms)))
    for v in range(1, n - 1):
        label_weights[v] = float(_LABEL_BASE) ** (interior - inverse[:, v])
    return edge_weights, label_weights


def unpack_bits(bits: np.ndarray, n: int) -> np.ndarray:
    """(N,) edge integers -> (N, n(n-1)/2) 0/1 float edge vectors in bit order."""
    count = n * (n - 1) // 2
    return ((bits[:, None] >> np.arange(count, dtype=np.int64)) & 1).astype(np.float64)


def canonical_forms(n: int, bits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Canonical members of N cells with n vertices each.

    ``bits``: (N,) int64 edge integers; ``labels``: (N, n-2) interior labels 0..2.
    Returns (canonical edge integers (N,), canonical interior labels (N, n-2)).
    """
    interior = n - 2
    if interior < 2:
        return bits.copy(), labels.copy()
    edge_weights, label_weights = key_tables(n)
    edge_keys = unpack_bits(bits, n) @ edge_weights
    label_keys = labels.astype(np.float64) @ label_weights[1:-1]
    scale = float(_LABEL_BASE**interior)
    keys = np.where(edge_keys < _INVALID, edge_keys * scale + label_keys, np.inf)
    best = keys.min(axis=1)
    canon_bits = (best // scale).astype(np.int64)
    label_number = (best % scale).astype(np.int64)
    places = _LABEL_BASE ** np.arange(interior - 1, -1, -1, dtype=np.int64)
    return canon_bits, (label_number[:, None] // places) % _LABEL_BASE
