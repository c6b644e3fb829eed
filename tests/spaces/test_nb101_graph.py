"""Module hash and canonical order on tiny cells (full-table checks are in test_nb101_table.py)."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from service.spaces.base import InvalidCellError
from service.spaces.nb101.canonical import canonical_forms, relabellings
from service.spaces.nb101.cell import INTERIOR_OPS, Cell
from service.spaces.nb101.graph import edge_hash, labels_of, module_hash

C3, C1, MP = "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"
# input -> 1 -> output and input -> 2 -> output: two parallel branches
BRANCHES = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]


def _hash(cell: Cell) -> str:
    return module_hash(cell.matrix, labels_of(cell.codes))


def test_hashes_of_the_smallest_cells_are_the_benchmarks() -> None:
    # both cells and their hashes are rows of ../shared/data/nb101_20k.jsonl.gz
    assert _hash(Cell([[0, 1], [0, 0]], ["input", "output"])) == "043721b9c7fe8c5fad811d47d83132ec"
    cell = Cell([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", C1, "output"])
    assert _hash(cell) == "09fc2d10bdd6225e167a6f81a22a3f06"


def test_swapped_branches_are_isomorphic_not_equal() -> None:
    a = Cell(BRANCHES, ["input", C1, C3, "output"])
    b = Cell(BRANCHES, ["input", C3, C1, "output"])
    assert a != b
    assert _hash(a) == _hash(b)
    assert _hash(a) != _hash(Cell(BRANCHES, ["input", C3, C3, "output"]))


def test_labels_follow_the_benchmark() -> None:
    assert labels_of((0, 1, 2, 3, 4)) == [-1, 0, 1, 2, -2]  # input, conv3x3, conv1x1, maxpool, output


def test_relabellings_fix_input_and_output() -> None:
    perms = relabellings(5)
    assert perms.shape == (6, 5)
    assert perms[0].tolist() == [0, 1, 2, 3, 4]
    assert set(perms[:, 0]) == {0} and set(perms[:, -1]) == {4}


def test_canonical_member_puts_the_smaller_label_first() -> None:
    # Branches: both orders have the same edges, so labels decide: conv3x3 (0) before conv1x1 (1).
    a = Cell(BRANCHES, ["input", C1, C3, "output"])
    bits, labels = canonical_forms(4, np.array([a.bits]), np.array([[1, 0]]))
    assert bits.tolist() == [a.bits]
    assert labels.tolist() == [[0, 1]]


def _edges(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    matrix = [[0] * n for _ in range(n)]
    for i, j in edges:
        matrix[i][j] = 1
    return matrix


def test_canonical_member_has_the_smallest_edge_integer() -> None:
    # A short branch input -> a -> output and a long one input -> b -> c -> output. Its three
    # upper-triangular numberings have edge integers (bit x + y(y-1)/2 for x -> y, output = 4):
    #   a,b,c = 1,2,3: bits 0,7,1,5,9 -> 675    b,a,c: 1,8,0,4,9 -> 787    b,c,a: 3,9,0,2,8 -> 781
    ops = ["input", C3, C3, C3, "output"]
    short_first = Cell(_edges(5, [(0, 1), (1, 4), (0, 2), (2, 3), (3, 4)]), ops)
    short_last = Cell(_edges(5, [(0, 3), (3, 4), (0, 1), (1, 2), (2, 4)]), ops)
    assert (short_first.bits, short_last.bits) == (675, 781)
    bits, labels = canonical_forms(5, np.array([short_last.bits, short_first.bits]), np.zeros((2, 3), int))
    assert bits.tolist() == [675, 675]
    assert labels.tolist() == [[0, 0, 0], [0, 0, 0]]


@st.composite
def _cells(draw: st.DrawFn) -> Cell:
    n = draw(st.integers(2, 7))
    edges = draw(st.lists(st.sampled_from([(x, y) for y in range(n) for x in range(y)]), unique=True))
    ops = ["input", *(draw(st.sampled_from(INTERIOR_OPS)) for _ in range(n - 2)), "output"]
    try:
        cell = Cell(_edges(n, edges), ops)
    except InvalidCellError:
        cell = None  # output unreachable or too many edges
    assume(cell is not None)
    return cell


@settings(max_examples=150, deadline=None, derandomize=True)
@given(_cells())
def test_fast_hashes_equal_the_reference(cell: Cell) -> None:
    reference = _hash(cell)
    assert edge_hash(cell.num_vertices, cell.bits, cell.codes) == reference
