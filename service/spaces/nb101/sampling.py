"""Random cells for search: sampling, mutation and crossover (randomness only from the Generator).

``sample`` is exactly uniform over the 423,624 classes. (The benchmark's own sampler, a random 7x7
matrix and ops kept if valid after pruning, is uniform over raw pairs, not classes, and pruning piles
its mass on small cells: 137 distinct networks in 200 draws.) Each class is numbered once, by its
canonical member (``graph.canonical_forms``): for each vertex count n, take the full DAGs (every
vertex on an input->output path, <= 9 edges, ``enumeration.full_dags``) whose edge integer is the
smallest among their relabellings, and under each such DAG the interior labellings that no
automorphism of the DAG makes smaller; ``(DAG, labelling)`` is then the class's canonical member and
every class appears exactly once. A draw is one uniform integer below 423,624 decoded into
(n, DAG, labelling) with numpy, so there is no rejection and no loop. The numbering is built once per
process in numpy (0.13 to 0.21 s, mostly listing the 7-vertex DAGs); returned cells are canonical.

``mutate`` and ``crossover`` work on the canonical padded 7-vertex form of their parents
(``encoding.canonical_padded``), so their results depend only on the parents' classes and the
Generator; padding vertices get random ops so that an edit can bring them into the cell.
"""

from functools import cache, lru_cache

import numpy as np

from service.spaces.base import InvalidCellError
from service.spaces.nb101.cell import INTERIOR_OPS, MAX_VERTICES, MIN_VERTICES, OPS, Cell
from service.spaces.nb101.encoding import PAD, canonical_padded
from service.spaces.nb101.enumeration import full_dags
from service.spaces.nb101.graph import canonical_forms, key_tables, unpack_bits

_UPPER = np.triu_indices(MAX_VERTICES, k=1)
_INTERIOR_CODES = np.array([OPS.index(op) for op in INTERIOR_OPS], dtype=np.int8)
_LABELS = len(INTERIOR_OPS)
_INTERIOR_CODE_LIST = _INTERIOR_CODES.tolist()
# A mutation edit (i, j, code): code < 0 flips the edge i->j, otherwise vertex i gets op ``code``.
_EDGE_EDITS = [(int(i), int(j), -1) for i, j in zip(*_UPPER, strict=True)]
_MEMO_CELLS = 8192  # canonical forms kept per process (a search population is 64 cells)
CROSSOVER_TRIES = 1000
VERTEX_COUNTS = tuple(range(MIN_VERTICES, MAX_VERTICES + 1))


def _cell_or_none(matrix: np.ndarray, codes: np.ndarray) -> Cell | None:
    try:
        return Cell(matrix, [OPS[c] for c in codes.tolist()])
    except InvalidCellError:
        return None


@cache
def _class_numbering(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(DAGs, classes): the edge-canonical n-vertex full DAGs, and every n-vertex class as
    ``DAG index * 3**(n-2) + label number`` of its canonical member (see the module docstring)."""
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


def _label_digits(numbers: np.ndarray, n: int) -> np.ndarray:
    """Label numbers -> (N, n-2) interior labels 0..2, first interior vertex most significant."""
    places = _LABELS ** np.arange(n - 3, -1, -1, dtype=np.int64)
    return (numbers[:, None] // places) % _LABELS


def canonical_classes(n: int, indices: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(edge integers (N,), interior labels 0..2 (N, n-2)) of the canonical members of the n-vertex
    classes numbered ``indices`` (all of them, in no promised order, when None)."""
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


def canonical_cells(numbers: np.ndarray) -> list[Cell]:
    """The canonical members of the classes numbered ``numbers`` (0 .. 423,623), in order."""
    order = np.argsort(numbers, kind="stable")  # grouped by vertex count
    firsts = _first_numbers()
    bounds = np.searchsorted(numbers[order], [*firsts.values(), sum(classes_with_vertices().values())])
    first, last = OPS.index("input"), OPS.index("output")
    grouped: list[Cell] = []
    for k, n in enumerate(VERTEX_COUNTS):
        bits, labels = canonical_classes(n, numbers[order[bounds[k] : bounds[k + 1]]] - firsts[n])
        grouped += [
            Cell.from_bits(n, cell_bits, (first, *codes, last))
            for cell_bits, codes in zip(bits.tolist(), (labels + 1).tolist(), strict=True)
        ]
    return [grouped[rank] for rank in np.argsort(order).tolist()]


def sample(rng: np.random.Generator, count: int) -> list[Cell]:
    """``count`` cells drawn independently and uniformly from the 423,624 classes, each as its
    canonical member (duplicates possible)."""
    return canonical_cells(rng.integers(sum(classes_with_vertices().values()), size=count))


@lru_cache(maxsize=_MEMO_CELLS)
def _canonical_padded_one(cell: Cell) -> tuple[np.ndarray, np.ndarray]:
    """``canonical_padded`` of one cell, read-only and memoised: search breeds the same parents often."""
    (matrix,), (codes,) = canonical_padded([cell])
    matrix.flags.writeable = codes.flags.writeable = False
    return matrix, codes


def _padded_with_random_ops(cells: list[Cell], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    forms = [_canonical_padded_one(cell) for cell in cells]
    matrices, codes = np.stack([m for m, _ in forms]), np.stack([c for _, c in forms])
    padding = codes == PAD
    codes[padding] = rng.choice(_INTERIOR_CODES, size=int(padding.sum()))
    return matrices, codes


def mutate(cell: Cell, rng: np.random.Generator) -> Cell:
    """A valid cell of another class, one edit away: flip one edge or change one interior op.

    The edits are tried in random order. The lone two-vertex cell (input->output) has no such
    neighbour, so for it one interior vertex is added on a new input->output path.
    """
    (matrix,), (codes,) = _padded_with_random_ops([cell], rng)
    if cell.num_vertices == 2:
        vertex = int(rng.integers(1, MAX_VERTICES - 1))
        matrix[0, vertex] = matrix[vertex, -1] = 1
        return Cell(matrix, [OPS[c] for c in codes.tolist()])
    current = codes.tolist()
    edits = _EDGE_EDITS + [
        (v, v, c) for v in range(1, MAX_VERTICES - 1) for c in _INTERIOR_CODE_LIST if c != current[v]
    ]
    for index in rng.permutation(len(edits)).tolist():
        i, j, code = edits[index]
        new_matrix, new_codes = matrix.copy(), codes.copy()
        if code < 0:
            new_matrix[i, j] ^= 1
        else:
            new_codes[i] = code
        child = _cell_or_none(new_matrix, new_codes)
        if child is not None and _other_class(child, cell):
            return child
    raise AssertionError(f"no one-edit neighbour of {cell!r}")  # unreachable: an op change always works


def crossover(a: Cell, b: Cell, rng: np.random.Generator) -> Cell:
    """A valid child taking each edge and each interior op from one parent or the other, at random.

    Retries until the child is valid; after ``CROSSOVER_TRIES`` invalid children it returns ``a``.
    """
    matrices, codes = _padded_with_random_ops([a, b], rng)
    for _ in range(CROSSOVER_TRIES):
        from_a = rng.random((MAX_VERTICES, MAX_VERTICES)) < 0.5
        op_from_a = rng.random(MAX_VERTICES) < 0.5
        child = _cell_or_none(
            np.where(from_a, matrices[0], matrices[1]), np.where(op_from_a, codes[0], codes[1])
        )
        if child is not None:
            return child
    return a


def _other_class(a: Cell, b: Cell) -> bool:
    """Whether a and b are not isomorphic; sizes and op counts settle most pairs without a canonical form."""
    if (a.num_vertices, a.num_edges, sorted(a.codes)) != (b.num_vertices, b.num_edges, sorted(b.codes)):
        return True
    return _class_key(a) != _class_key(b)


@lru_cache(maxsize=_MEMO_CELLS)
def _class_key(cell: Cell) -> tuple[int, int, tuple[int, ...]]:
    """(vertex count, edge integer, labels) of the cell's canonical member: equal iff isomorphic."""
    n = cell.num_vertices
    labels = np.array(cell.codes[1:-1], dtype=np.int64).reshape(1, n - 2) - 1
    bits, canonical_labels = canonical_forms(n, np.array([cell.bits], dtype=np.int64), labels)
    return n, int(bits[0]), tuple(canonical_labels[0].tolist())
