"""Property tests: identity, tensors and costs depend only on the isomorphism class of the pruned
cell; mutation and crossover give valid cells and repeat under a seed."""

from random import Random

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from service.spaces.base import InvalidCellError
from service.spaces.nb101.cell import INTERIOR_OPS, MAX_VERTICES, Cell
from service.spaces.nb101.space import NB101_SPACE as SPACE

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


@st.composite
def cells(draw: st.DrawFn, max_vertices: int = MAX_VERTICES) -> Cell:
    n = draw(st.integers(2, max_vertices))
    matrix = [[int(j > i and draw(st.booleans())) for j in range(n)] for i in range(n)]
    ops = ["input", *(draw(st.sampled_from(INTERIOR_OPS)) for _ in range(n - 2)), "output"]
    try:
        cell = Cell(matrix, ops)
    except InvalidCellError:
        cell = None  # output unreachable or too many edges
    assume(cell is not None)
    return cell


def _relabel(cell: Cell, order: list[int]) -> Cell:
    """The cell with new vertex i = old vertex order[i]."""
    m = cell.matrix
    return Cell([[int(m[a, b]) for b in order] for a in order], [cell.ops[a] for a in order])


def _topological_order(matrix: np.ndarray, priority: list[int]) -> list[int]:
    """Kahn's algorithm taking, among ready vertices, the one with the lowest priority."""
    n = len(matrix)
    indegree = matrix.sum(axis=0).tolist()
    ready, order = [v for v in range(n) if indegree[v] == 0], []
    while ready:
        v = min(ready, key=priority.__getitem__)
        ready.remove(v)
        order.append(v)
        for w in np.flatnonzero(matrix[v]).tolist():
            indegree[w] -= 1
            if indegree[w] == 0:
                ready.append(w)
    return order


def _invariants(cell: Cell) -> tuple[str, bytes, bytes, list[int]]:
    params, flops = SPACE.cost([cell])
    return (
        SPACE.identity(cell),
        SPACE.encode([cell]).tobytes(),
        SPACE.encode([cell], "renas-type").tobytes(),
        [int(params[0]), int(flops[0])],
    )


@SETTINGS
@given(cells(), st.randoms(use_true_random=False))
def test_topological_relabelling_changes_nothing(cell: Cell, random: Random) -> None:
    n = cell.num_vertices
    priority = [-1, *random.sample(range(n - 2), n - 2), n]  # input first, output last
    order = _topological_order(np.asarray(cell.matrix), priority)
    assert _invariants(_relabel(cell, order)) == _invariants(cell)


@SETTINGS
@given(cells(), st.randoms(use_true_random=False))
def test_arbitrary_relabelling_then_sorting_changes_nothing(cell: Cell, random: Random) -> None:
    n = cell.num_vertices
    shuffled = [0, *random.sample(range(1, n - 1), n - 2), n - 1]  # new vertex i = old shuffled[i]
    m = np.asarray(cell.matrix)[np.ix_(shuffled, shuffled)]  # may now have edges below the diagonal
    resorted = _topological_order(m, list(range(n)))
    assert _invariants(_relabel(cell, [shuffled[i] for i in resorted])) == _invariants(cell)


@SETTINGS
@given(cells(max_vertices=6), st.data())
def test_dangling_vertices_are_pruned(cell: Cell, data: st.DataObject) -> None:
    n = cell.num_vertices
    at = data.draw(st.integers(1, n - 1), label="position of the new vertex")
    unreachable = data.draw(st.booleans(), label="no in-edges (else: no out-edges)")
    others = [v for v in range(n + 1) if v != at]
    neighbours = [v for v in others if (v > at if unreachable else v < at)]
    chosen = data.draw(st.lists(st.sampled_from(neighbours), min_size=1, unique=True), label="neighbours")
    old = {new: old for old, new in enumerate(others)}
    matrix = [[0] * (n + 1) for _ in range(n + 1)]
    for a in others:
        for b in others:
            matrix[a][b] = int(cell.matrix[old[a], old[b]])
    for v in chosen:
        matrix[at if unreachable else v][v if unreachable else at] = 1
    ops = [cell.ops[old[v]] if v in old else data.draw(st.sampled_from(INTERIOR_OPS)) for v in range(n + 1)]
    bigger = Cell(matrix, ops)
    assert bigger == cell
    assert _invariants(bigger) == _invariants(cell)


@SETTINGS
@given(cells(), st.integers(0, 2**32 - 1))
def test_mutation_is_a_valid_other_class_and_repeats_under_a_seed(cell: Cell, seed: int) -> None:
    child = SPACE.mutate(cell, np.random.default_rng(seed))
    assert isinstance(child, Cell)
    assert SPACE.identity(child) != SPACE.identity(cell)
    assert SPACE.mutate(cell, np.random.default_rng(seed)) == child


@SETTINGS
@given(cells(), cells(), st.integers(0, 2**32 - 1))
def test_crossover_is_valid_and_repeats_under_a_seed(a: Cell, b: Cell, seed: int) -> None:
    child = SPACE.crossover(a, b, np.random.default_rng(seed))
    assert isinstance(child, Cell)
    assert SPACE.crossover(a, b, np.random.default_rng(seed)) == child
    assert SPACE.identity(SPACE.crossover(a, a, np.random.default_rng(seed))) == SPACE.identity(a)
