"""The canonical member of each NAS-Bench-101 cell's class, and the number of each class.

Whatever treats isomorphic cells as one goes through here: costs and tensors are computed on the
canonical member, sampling draws a class number, the hash table's row i is class i and enumeration
lists the classes in number order. One definition of both keeps all of them in step.

*Canonical member.* Relabelling the interior vertices (input and output stay put) so that the
matrix stays upper-triangular gives every member of an isomorphism class. Of those, the canonical
member has the smallest edge integer (bit ``x + y(y-1)/2`` for the edge x->y, ``graph.bit_index``),
then the lexicographically smallest interior op labels (conv3x3 < conv1x1 < maxpool). This is the
order in which the benchmark's ``generate_graphs.py`` met graphs, so the canonical member is the one
the benchmark stored and trained: its cost model numbers are the official ones. The choice is
vectorised over a batch of cells with one matrix product per vertex count (<= 120 relabellings each).

*Class numbers.* For each vertex count n, the full DAGs (every vertex on an input->output path,
<= 9 edges) whose edge integer is the smallest among their relabellings, and under each such DAG the
interior labellings that no automorphism of the DAG makes smaller, are exactly the canonical members
of the n-vertex classes, each once: no hash is needed to tell classes apart. Classes are numbered
0 .. 423,623 by vertex count, then edge integer, then label number (first interior vertex most
significant): the order in which ``generate_graphs.py`` first met each class. The numbering is built
once per process in numpy (0.13 to 0.21 s, mostly listing the 7-vertex DAGs).
"""

import itertools
from collections.abc import Iterator, Sequence
from functools import cache

import numpy as np

from service.spaces.nb101.cell import INTERIOR_OPS, MAX_EDGES, MAX_VERTICES, MIN_VERTICES, OPS, Cell
from service.spaces.nb101.graph import bit_index

VERTEX_COUNTS = tuple(range(MIN_VERTICES, MAX_VERTICES + 1))
PAD = len(OPS)  # op code of a padding vertex
_LABELS = len(INTERIOR_OPS)  # interior labels 0..2
# > every edge integer of <= 7 vertices (21 bits): marks a non-triangular relabelling
_INVALID = float(1 << 22)


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
        label_weights[v] = float(_LABELS) ** (interior - inverse[:, v])
    return edge_weights, label_weights


def unpack_bits(bits: np.ndarray, n: int) -> np.ndarray:
    """(N,) edge integers -> (N, n(n-1)/2) 0/1 float edge vectors in bit order."""
    count = n * (n - 1) // 2
    return ((bits[:, None] >> np.arange(count, dtype=np.int64)) & 1).astype(np.float64)


def _label_digits(numbers: np.ndarray, n: int) -> np.ndarray:
    """Label numbers -> (N, n-2) interior labels 0..2, first interior vertex most significant."""
    places = _LABELS ** np.arange(n - 3, -1, -1, dtype=np.int64)
    return (numbers[:, None] // places) % _LABELS


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
    scale = float(_LABELS**interior)
    keys = np.where(edge_keys < _INVALID, edge_keys * scale + label_keys, np.inf)
    best = keys.min(axis=1)
    canon_bits = (best // scale).astype(np.int64)
    return canon_bits, _label_digits((best % scale).astype(np.int64), n)


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


def _padded_positions(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns, in the padded 7-vertex layout, of an n-vertex cell's edge bits."""
    moved = {n - 1: MAX_VERTICES - 1}
    pairs = [(x, moved.get(y, y)) for y in range(n) for x in range(y)]
    return np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64)


_POSITIONS = {n: _padded_positions(n) for n in VERTEX_COUNTS}


def canonical_padded(cells: Sequence[Cell]) -> tuple[np.ndarray, np.ndarray]:
    """(N,7,7) int8 canonical adjacency and (N,7) int8 op codes, padded before the output with
    edge-free ``PAD`` vertices so that the output is always vertex 6."""
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


def full_dags(n: int) -> np.ndarray:
    """Sorted edge integers of the n-vertex DAGs with every vertex on an input->output path."""
    bits = np.arange(1 << (n * (n - 1) // 2), dtype=np.int64)
    ok = np.bitwise_count(bits) <= MAX_EDGES
    for v in range(n):
        if v < n - 1:  # needs an out-edge
            ok &= (bits & sum(1 << bit_index(v, w) for w in range(v + 1, n))) != 0
        if v > 0:  # needs an in-edge
            ok &= (bits & sum(1 << bit_index(x, v) for x in range(v))) != 0
    return bits[ok]


@cache
def _class_numbering(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(DAGs, classes): the edge-canonical n-vertex full DAGs, ascending, and every n-vertex class,
    ascending, as ``DAG index * 3**(n-2) + label number`` of its canonical member."""
    dags = full_dags(n)
    labellings = _LABELS ** (n - 2)
    if n - 2 < 2:  # the identity is the only relabelling
        return dags, np.arange(len(dags) * labellings)
    edge_weights, label_weights = key_tables(n)
    edge_keys = unpack_bits(dags, n) @ edge_weights  # column 0: the identity
    smallest = edge_keys.min(axis=1) == dags
    dags, automorphisms = dags[smallest], edge_keys[smallest] == dags[smallest, None]
    label_keys = _label_digits(np.arange(labellings), n).astype(np.float64) @ label_weights[1:-1]
    patterns, pattern_of = np.unique(automorphisms, axis=0, return_inverse=True)
    allowed = np.stack(
        [np.where(pattern, label_keys, np.inf).min(axis=1) >= label_keys[:, 0] for pattern in patterns]
    )
    return dags, np.flatnonzero(allowed[pattern_of.reshape(-1)])


def canonical_classes(n: int, indices: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(edge integers (N,), interior labels 0..2 (N, n-2)) of the canonical members of the n-vertex
    classes ``indices`` (counted from the first n-vertex class; all of them, in class-number order,
    when None)."""
    dags, classes = _class_numbering(n)
    chosen = classes if indices is None else classes[indices]
    dag_index, label_number = np.divmod(chosen, _LABELS ** (n - 2))
    return dags[dag_index], _label_digits(label_number, n)


def class_numbers(n: int, bits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The inverse of ``canonical_cells``: the numbers (0 .. 423,623) of the classes whose canonical
    n-vertex members have edge integers ``bits`` (N,) and interior labels 0..2 ``labels`` (N, n-2)."""
    dags, classes = _class_numbering(n)
    places = _LABELS ** np.arange(n - 3, -1, -1, dtype=np.int64)
    within = np.searchsorted(classes, np.searchsorted(dags, bits) * _LABELS ** (n - 2) + labels @ places)
    return within + _first_numbers()[n]


def classes_with_vertices() -> dict[int, int]:
    """How many classes have exactly n vertices, for n = 2..7 (423,624 in all)."""
    return {n: len(_class_numbering(n)[1]) for n in VERTEX_COUNTS}


def _first_numbers() -> dict[int, int]:
    """The number of each vertex count's first class: classes with fewer vertices come first."""
    counts = classes_with_vertices()
    return dict(zip(counts, np.cumsum([0, *counts.values()])[:-1].tolist(), strict=True))


def build_cells(n: int, bits: np.ndarray, labels: np.ndarray) -> Iterator[Cell]:
    """The n-vertex cells with edge integers ``bits`` (N,) and interior labels 0..2 ``labels``
    (N, n-2), one by one (a whole vertex count of ``Cell`` objects need not sit in memory)."""
    first, last = OPS.index("input"), OPS.index("output")
    for cell_bits, codes in zip(bits.tolist(), (labels + 1).tolist(), strict=True):
        yield Cell.from_bits(n, cell_bits, (first, *codes, last))


def canonical_cells(numbers: np.ndarray) -> list[Cell]:
    """The canonical members of the classes numbered ``numbers`` (0 .. 423,623), in order."""
    order = np.argsort(numbers, kind="stable")  # grouped by vertex count
    firsts = _first_numbers()
    bounds = np.searchsorted(numbers[order], [*firsts.values(), sum(classes_with_vertices().values())])
    grouped: list[Cell] = []
    for k, n in enumerate(VERTEX_COUNTS):
        grouped += build_cells(
            n, *canonical_classes(n, numbers[order[bounds[k] : bounds[k + 1]]] - firsts[n])
        )
    return [grouped[rank] for rank in np.argsort(order).tolist()]
