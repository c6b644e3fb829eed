"""Random cells for search: sampling, mutation and crossover (randomness only from the Generator).

``sample`` is the benchmark's own rejection sampler (``random_spec`` in its examples): a random
upper-triangular 7x7 0/1 matrix and random interior ops, kept when valid after pruning. That is
uniform over valid (matrix, ops) pairs, so a class is drawn in proportion to how many 7-vertex
pairs prune to it; it is not uniform over the 423,624 classes.

``mutate`` and ``crossover`` work on the canonical padded 7-vertex form of their parents
(``encoding.canonical_padded``), so their results depend only on the parents' classes and the
Generator; padding vertices get random ops so that an edit can bring them into the cell.
"""

import numpy as np

from service.spaces.base import InvalidCellError
from service.spaces.nb101.cell import INTERIOR_OPS, MAX_VERTICES, OPS, Cell
from service.spaces.nb101.encoding import PAD, canonical_padded
from service.spaces.nb101.graph import canonical_forms

_UPPER = np.triu_indices(MAX_VERTICES, k=1)
_INTERIOR_CODES = np.array([OPS.index(op) for op in INTERIOR_OPS], dtype=np.int8)
CROSSOVER_TRIES = 1000


def _cell_or_none(matrix: np.ndarray, codes: np.ndarray) -> Cell | None:
    try:
        return Cell(matrix, [OPS[c] for c in codes.tolist()])
    except InvalidCellError:
        return None


def sample(rng: np.random.Generator, count: int) -> list[Cell]:
    """``count`` valid cells by rejection sampling (duplicates possible)."""
    cells: list[Cell] = []
    codes = np.empty(MAX_VERTICES, dtype=np.int8)
    codes[0], codes[-1] = OPS.index("input"), OPS.index("output")
    while len(cells) < count:
        matrix = np.triu(rng.integers(0, 2, size=(MAX_VERTICES, MAX_VERTICES), dtype=np.int8), k=1)
        codes[1:-1] = rng.choice(_INTERIOR_CODES, size=MAX_VERTICES - 2)
        cell = _cell_or_none(matrix, codes)
        if cell is not None:
            cells.append(cell)
    return cells


def _padded_with_random_ops(cells: list[Cell], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    matrices, codes = canonical_padded(cells)
    padding = codes == PAD
    codes[padding] = rng.choice(_INTERIOR_CODES, size=int(padding.sum()))
    return matrices, codes


def mutate(cell: Cell, rng: np.random.Generator) -> Cell:
    """A valid cell of another class, one edit away: flip one edge or change one interior op.

    The edits are tried in random order. The lone two-vertex cell (input->output) has no such
    neighbour, so for it one interior vertex is added on a new input->output path.
    """
    (matrix,), (codes,) = _padded_with_random_ops([cell], rng)
    parent = _class_key(cell)
    if cell.num_vertices == 2:
        vertex = int(rng.integers(1, MAX_VERTICES - 1))
        matrix[0, vertex] = matrix[vertex, -1] = 1
        return Cell(matrix, [OPS[c] for c in codes.tolist()])
    # An edit (i, j, code): code < 0 flips the edge i->j, otherwise vertex i gets op ``code``.
    edits = [(int(i), int(j), -1) for i, j in zip(*_UPPER, strict=True)]
    edits += [
        (v, v, c) for v in range(1, MAX_VERTICES - 1) for c in _INTERIOR_CODES.tolist() if c != codes[v]
    ]
    for index in rng.permutation(len(edits)).tolist():
        i, j, code = edits[index]
        new_matrix, new_codes = matrix.copy(), codes.copy()
        if code < 0:
            new_matrix[i, j] ^= 1
        else:
            new_codes[i] = code
        child = _cell_or_none(new_matrix, new_codes)
        if child is not None and _class_key(child) != parent:
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


def _class_key(cell: Cell) -> tuple[int, int, tuple[int, ...]]:
    """(vertex count, edge integer, labels) of the cell's canonical member: equal iff isomorphic."""
    n = cell.num_vertices
    labels = np.array(cell.codes[1:-1], dtype=np.int64).reshape(1, n - 2) - 1
    bits, canonical_labels = canonical_forms(n, np.array([cell.bits], dtype=np.int64), labels)
    return n, int(bits[0]), tuple(canonical_labels[0].tolist())
