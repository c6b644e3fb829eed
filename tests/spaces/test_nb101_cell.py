"""Cell validation (one test per message), pruning and equality, on tiny hand-written cells."""

import numpy as np
import pytest

from service.spaces.base import InvalidCellError
from service.spaces.nb101.cell import Cell

C3, C1, MP = "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"

# input -> conv3x3 -> output, plus input -> output
CHAIN = [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
CHAIN_OPS = ["input", C3, "output"]


def test_valid_cell_keeps_matrix_and_ops() -> None:
    cell = Cell(CHAIN, CHAIN_OPS)
    assert cell.matrix.tolist() == CHAIN
    assert cell.ops == ("input", C3, "output")
    assert cell.num_vertices == 3
    assert cell.num_edges == 3
    assert cell.bits == 0b111  # edges 0->1 (bit 0), 0->2 (bit 1), 1->2 (bit 2)


def test_numpy_matrix_and_tuple_ops_are_accepted() -> None:
    assert Cell(np.array(CHAIN), tuple(CHAIN_OPS)) == Cell(CHAIN, CHAIN_OPS)


@pytest.mark.parametrize(
    ("matrix", "ops", "message"),
    [
        ([[0, 1], [0, 0, 0]], ["input", "output"], "matrix must be square: row 1 has 3 entries, expected 2"),
        ([[0]], ["input"], "matrix has 1 vertices; a cell has 2 to 7"),
        ([[0] * 8 for _ in range(8)], ["input"] + [C3] * 6 + ["output"], "matrix has 8 vertices"),
        ([[0, 2], [0, 0]], ["input", "output"], "matrix[0][1] is 2, must be 0 or 1"),
        ("0110", ["input", "output"], "matrix must be a list of rows, got str"),
        ([[0, 1, 0], [0, 0, 1], [0, 1, 0]], ["input", C3, "output"], "matrix[2][1] below the diagonal"),
        ([[0, 1, 0], [0, 1, 1], [0, 0, 0]], ["input", C3, "output"], "matrix[1][1] on the diagonal"),
        (CHAIN, ["input", "output"], "ops has 2 entries but matrix has 3 vertices"),
        (CHAIN, [C3, C3, "output"], "ops[0] must be 'input', got 'conv3x3-bn-relu'"),
        (CHAIN, ["input", C3, C3], "ops[2] must be 'output', got 'conv3x3-bn-relu'"),
        (CHAIN, ["input", "conv5x5", "output"], "ops[1]: unknown op 'conv5x5'"),
        (CHAIN, ["input", "output", "output"], "ops[1]: unknown op 'output'"),
        ([[0, 1, 0], [0, 0, 0], [0, 0, 0]], ["input", C3, "output"], "output not reachable from input"),
    ],
)
def test_each_problem_is_named(matrix: list, ops: list, message: str) -> None:
    with pytest.raises(InvalidCellError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Cell(matrix, ops)


def _matrix(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    matrix = [[0] * n for _ in range(n)]
    for i, j in edges:
        matrix[i][j] = 1
    return matrix


CHAIN_6 = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 6)]  # input -> 1 -> 2 -> 3 -> 4 -> output
TO_OUTPUT = [(0, 6), (1, 6), (2, 6), (3, 6)]


def test_ten_edges_are_too_many() -> None:
    matrix = _matrix(7, [*CHAIN_6, (4, 5), (5, 6), *TO_OUTPUT[:3]])
    with pytest.raises(InvalidCellError, match="10 edges > 9"):
        Cell(matrix, ["input"] + [C3] * 5 + ["output"])


def test_edge_limit_counts_after_pruning() -> None:
    # 10 edges as given, but vertex 5 has no in-edge: it and its edge 5->6 are pruned, 9 remain.
    cell = Cell(_matrix(7, [*CHAIN_6, (5, 6), *TO_OUTPUT]), ["input", C3, C1, MP, MP, C3, "output"])
    assert cell.num_vertices == 6
    assert cell.num_edges == 9
    assert cell.ops == ("input", C3, C1, MP, MP, "output")


def test_pruning_drops_vertices_off_every_input_output_path() -> None:
    # vertex 2 is a dead end (no out-edge), vertex 3 is unreachable (no in-edge)
    matrix = [
        [0, 1, 1, 0, 0],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0],
    ]
    cell = Cell(matrix, ["input", C1, MP, C3, "output"])
    assert cell.matrix.tolist() == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    assert cell.ops == ("input", C1, "output")
    assert cell.original_matrix.tolist() == matrix
    assert cell.original_ops == ("input", C1, MP, C3, "output")
    assert cell == Cell([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", C1, "output"])


def test_cells_are_immutable_and_hashable() -> None:
    cell = Cell(CHAIN, CHAIN_OPS)
    assert len({cell, Cell(CHAIN, CHAIN_OPS), Cell(CHAIN, ["input", C1, "output"])}) == 2
    with pytest.raises(ValueError, match="read-only"):
        cell.matrix[0, 1] = 0
    with pytest.raises(AttributeError):
        cell.ops = ()  # type: ignore[misc]


def test_from_bits_round_trips() -> None:
    cell = Cell(CHAIN, CHAIN_OPS)
    assert Cell.from_bits(cell.num_vertices, cell.bits, cell.codes) == cell
    with pytest.raises(InvalidCellError, match="no 3-vertex cell has edge bits 8"):
        Cell.from_bits(3, 8, cell.codes)
