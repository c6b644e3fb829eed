"""Arch: parsing and formatting of arch strings and edge matrices, and every validation message."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.spaces.base import InvalidCellError
from service.spaces.nb201.arch import EDGES, OPS, Arch, codes_of

EXAMPLE = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
EXAMPLE_OPS = ("nor_conv_3x3", "nor_conv_3x3", "avg_pool_3x3", "skip_connect", "nor_conv_3x3", "skip_connect")
EXAMPLE_MATRIX = [
    [None, "nor_conv_3x3", "nor_conv_3x3", "skip_connect"],
    [None, None, "avg_pool_3x3", "nor_conv_3x3"],
    [None, None, None, "skip_connect"],
    [None, None, None, None],
]

archs = st.tuples(*[st.sampled_from(OPS)] * len(EDGES)).map(Arch)


def test_parses_the_readme_example_into_edge_order() -> None:
    arch = Arch.from_string(EXAMPLE)
    assert arch.ops == EXAMPLE_OPS
    assert arch.codes == (3, 3, 4, 1, 3, 1)
    assert str(arch) == EXAMPLE


def test_entries_within_a_group_may_come_in_any_order() -> None:
    shuffled = (
        "|nor_conv_3x3~0|+|avg_pool_3x3~1|nor_conv_3x3~0|+|skip_connect~2|skip_connect~0|nor_conv_3x3~1|"
    )
    assert Arch.from_string(shuffled) == Arch.from_string(EXAMPLE)


def test_matrix_form_puts_edge_j_to_i_at_row_j_column_i() -> None:
    arch = Arch.from_string(EXAMPLE)
    assert arch.to_matrix() == EXAMPLE_MATRIX
    assert Arch.from_matrix(EXAMPLE_MATRIX) == arch


def test_matrix_accepts_none_as_well_as_null_off_the_edges() -> None:
    matrix = [["none" if entry is None else entry for entry in row] for row in EXAMPLE_MATRIX]
    assert Arch.from_matrix(matrix) == Arch.from_string(EXAMPLE)


def test_is_hashable_and_equal_by_ops() -> None:
    assert len({Arch(EXAMPLE_OPS), Arch(list(EXAMPLE_OPS)), Arch.from_string(EXAMPLE)}) == 1


def test_codes_of_stacks_op_indices() -> None:
    none = Arch(("none",) * 6)
    assert codes_of([none, Arch.from_string(EXAMPLE)]).tolist() == [[0] * 6, [3, 3, 4, 1, 3, 1]]
    assert codes_of([]).shape == (0, 6)


@given(archs)
def test_string_round_trip(arch: Arch) -> None:
    assert Arch.from_string(arch.to_string()) == arch


@given(archs)
def test_matrix_round_trip(arch: Arch) -> None:
    assert Arch.from_matrix(arch.to_matrix()) == arch


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        (EXAMPLE_OPS[:5], "expected 6 ops (edges 0->1, 0->2, 1->2, 0->3, 1->3, 2->3), got 5"),
        (("none", "none", "conv5x5", "none", "none", "none"), "unknown op 'conv5x5' on edge 1->2"),
        (("none", "none", "none", "none", None, "none"), "unknown op None on edge 1->3"),
        ("none", "ops must be a sequence of op names, got str"),
    ],
)
def test_constructor_rejects(ops: object, message: str) -> None:
    with pytest.raises(InvalidCellError, match=re.escape(message)):
        Arch(ops)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("|nor_conv_3x3~0|+|none~0|none~1|", "expected 3 groups, got 2"),
        ("nor_conv_3x3~0+|none~0|none~1|+|none~0|none~1|none~2|", "group 1: malformed 'nor_conv_3x3~0'"),
        (
            "|none~0|+|none-0|none~1|+|none~0|none~1|none~2|",
            "malformed entry 'none-0' (expected 'op~j')",
        ),
        ("|none~0|+|none~0|none~x|+|none~0|none~1|none~2|", "group 2: malformed entry 'none~x'"),
        ("|none~0|+|none~0|none~²|+|none~0|none~1|none~2|", "group 2: malformed entry 'none~²'"),
        ("|none~0|+|none~0|none~3|+|none~0|none~1|none~2|", "group 2: edge from node 3 is not allowed"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|none~1|", "group 3: duplicate edge from node 1"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|", "group 3: missing edge from node(s) [2]"),
        ("|none~0|+|none~0|conv5x5~1|+|none~0|none~1|none~2|", "unknown op 'conv5x5' on edge 1->2"),
        (42, "arch string must be a string, got int"),
    ],
)
def test_string_rejects(text: object, message: str) -> None:
    with pytest.raises(InvalidCellError, match=re.escape(message)):
        Arch.from_string(text)  # type: ignore[arg-type]


def _matrix_with(j: int, i: int, entry: object) -> list[list[object]]:
    matrix: list[list[object]] = [list(row) for row in EXAMPLE_MATRIX]
    matrix[j][i] = entry
    return matrix


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (EXAMPLE_MATRIX[:3], "matrix must be 4x4, got 3 rows"),
        ("|none~0|", "matrix must be a 4x4 list of rows, got str"),
        ([*EXAMPLE_MATRIX[:3], 7], "matrix row 3 must be a list, got int"),
        (
            [*EXAMPLE_MATRIX[:2], [None, None, None], EXAMPLE_MATRIX[3]],
            "matrix row 2 has 3 entries, expected 4",
        ),
        (_matrix_with(0, 1, None), "matrix[0][1]: expected an op name, got None"),
        (_matrix_with(0, 1, "conv5x5"), "unknown op 'conv5x5' on edge 0->1"),
        (_matrix_with(2, 1, "nor_conv_3x3"), "matrix[2][1]: 2->1 is not an edge"),
        (_matrix_with(3, 3, "skip_connect"), "matrix[3][3]: 3->3 is not an edge"),
    ],
)
def test_matrix_rejects(matrix: object, message: str) -> None:
    with pytest.raises(InvalidCellError, match=re.escape(message)):
        Arch.from_matrix(matrix)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.sampled_from(OPS),
    lambda inner: st.lists(inner, max_size=5),
    max_leaves=30,
)


@given(st.text(alphabet="|+~0123²_abnoe", max_size=60) | st.text(max_size=60))
def test_any_string_parses_or_raises_invalid_cell(text: str) -> None:
    try:
        arch = Arch.from_string(text)
    except InvalidCellError:
        return
    assert Arch.from_string(arch.to_string()) == arch


@given(json_values)
def test_any_json_matrix_parses_or_raises_invalid_cell(matrix: object) -> None:
    try:
        arch = Arch.from_matrix(matrix)
    except InvalidCellError:
        return
    assert Arch.from_matrix(arch.to_matrix()) == arch
