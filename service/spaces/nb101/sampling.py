"""Random cells for search: sampling, mutation and crossover (randomness only from the Generator).

``sample`` is exactly uniform over the 423,624 classes. (The benchmark's own sampler, a random 7x7
matrix and ops kept if valid after pruning, is uniform over raw pairs, not classes, and pruning piles
its mass on small cells: 137 distinct networks in 200 draws.) Every class has a number
(``canonical``), so a draw is one uniform integer below 423,624 decoded into the class's canonical
member with numpy (``canonical.canonical_cells``): no rejection and no loop; returned cells are
canonical.

``mutate`` and ``crossover`` work on the canonical padded 7-vertex form of their parents
(``canonical.canonical_padded``), so their results depend only on the parents' classes and the
Generator; padding vertices get random ops so that an edit can bring them into the cell.
"""

from functools import lru_cache

import numpy as np

from service.spaces.base import InvalidCellError
from service.spaces.nb101.canonical import (
    PAD,
    canonical_cells,
    canonical_forms,
    canonical_padded,
    classes_with_vertices,
)
from service.spaces.nb101.cell import INTERIOR_OPS, MAX_VERTICES, OPS, Cell

_UPPER = np.triu_indices(MAX_VERTICES, k=1)
_INTERIOR_CODES = np.array([OPS.index(op) for op in INTERIOR_OPS], dtype=np.int8)
_INTERIOR_CODE_LIST = _INTERIOR_CODES.tolist()
# A mutation edit (i, j, code): code < 0 flips the edge i->j, otherwise vertex i gets op ``code``.
_EDGE_EDITS = [(int(i), int(j), -1) for i, j in zip(*_UPPER, strict=True)]
_MEMO_CELLS = 8192  # canonical forms kept per process (a search population is 64 cells)
CROSSOVER_TRIES = 1000


def _cell_or_none(matrix: np.ndarray, codes: np.ndarray) -> Cell | None:
    try:
        return Cell(matrix, [OPS[c] for c in codes.tolist()])
    except InvalidCellError:
        return None


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
