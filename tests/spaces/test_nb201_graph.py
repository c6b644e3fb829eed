"""Pruning, the node-1/2 swap, canonical identity and the ops-on-vertices DAG, on cells checkable by eye."""

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from service.spaces.nb201.arch import EDGES, OPS, Arch
from service.spaces.nb201.graph import (
    SPACE_SIZE,
    canonical,
    canonical_codes,
    canonical_table,
    canonicalize,
    code_index,
    codes_at,
    identity,
    prune,
    vertex_dag,
)

EMPTY = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
archs = st.tuples(*[st.sampled_from(OPS)] * len(EDGES)).map(Arch)


def a(text: str) -> Arch:
    return Arch.from_string(text)


def swap_nodes_1_2(arch: Arch) -> Arch:
    """The cell with nodes 1 and 2 renamed (only a cell when 1->2 is none)."""
    o01, o02, o12, o03, o13, o23 = arch.ops
    assert o12 == "none"
    return Arch((o02, o01, o12, o03, o23, o13))


def test_cell_whose_output_is_cut_off_prunes_to_empty() -> None:
    # node 1 reaches nothing, node 2 receives nothing: no input->output path at all.
    cell = a("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|")
    assert identity(cell) == EMPTY


def test_edges_leaving_an_unreachable_node_are_pruned() -> None:
    cell = a("|none~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|")
    assert Arch.from_codes(prune(np.array([cell.codes]))[0]) == a(
        "|none~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"
    )


def test_edges_into_a_dead_end_node_are_pruned() -> None:
    cell = a("|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|none~2|")
    pruned = a("|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|nor_conv_3x3~1|none~2|")
    assert Arch.from_codes(prune(np.array([cell.codes]))[0]) == pruned
    # 1->2 is none after pruning, so nodes 1 and 2 swap into the smaller op-code order.
    assert identity(cell) == "|none~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"


def test_full_cell_is_its_own_representative() -> None:
    cell = a(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
    )
    assert canonical(cell) == cell


def test_nodes_1_and_2_swap_when_1_to_2_is_none() -> None:
    left = a("|nor_conv_1x1~0|+|nor_conv_3x3~0|none~1|+|none~0|avg_pool_3x3~1|skip_connect~2|")
    right = a("|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|none~0|skip_connect~1|avg_pool_3x3~2|")
    assert identity(left) == identity(right) == str(left)  # the smaller op-code order wins


def test_nodes_1_and_2_do_not_swap_when_1_feeds_2() -> None:
    left = a("|nor_conv_1x1~0|+|nor_conv_3x3~0|skip_connect~1|+|none~0|avg_pool_3x3~1|skip_connect~2|")
    right = a("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|none~0|skip_connect~1|avg_pool_3x3~2|")
    assert identity(left) != identity(right)


def test_space_collapses_to_8765_networks() -> None:
    assert len(np.unique(canonical_table())) == 8765


def test_table_agrees_with_direct_canonicalization() -> None:
    codes = codes_at(np.arange(SPACE_SIZE))
    assert (code_index(codes) == np.arange(SPACE_SIZE)).all()
    np.testing.assert_array_equal(canonical_codes(codes), canonicalize(codes))


def test_vertex_dag_of_a_chain() -> None:
    # input -> skip on 0->1 -> conv1x1 on 1->3 -> output; vertex 1 + k holds edge k.
    adjacency, labels = vertex_dag(
        np.array([a("|skip_connect~0|+|none~0|none~1|+|none~0|nor_conv_1x1~1|none~2|").codes])
    )
    assert sorted(zip(*np.nonzero(adjacency[0]), strict=True)) == [(0, 1), (1, 5), (5, 7)]
    assert labels[0].tolist() == [-1, 1, 0, 0, 0, 2, 0, len(OPS)]


def test_vertex_dag_of_the_full_structure() -> None:
    adjacency, _ = vertex_dag(np.array([[1] * 6]))
    edges = sorted((int(u), int(v)) for u, v in zip(*np.nonzero(adjacency[0]), strict=True))
    # input feeds 0->1, 0->2, 0->3; 0->1 feeds 1->2, 1->3; 0->2 and 1->2 feed 2->3; x->3 feed the output.
    assert edges == [(0, 1), (0, 2), (0, 4), (1, 3), (1, 5), (2, 6), (3, 6), (4, 7), (5, 7), (6, 7)]


@given(archs)
def test_identity_is_idempotent(arch: Arch) -> None:
    rep = canonical(arch)
    assert canonical(rep) == rep
    assert identity(rep) == identity(arch)


@given(st.tuples(*[st.sampled_from(OPS)] * 5))
def test_identity_is_invariant_under_the_legal_node_swap(ops: tuple[str, ...]) -> None:
    arch = Arch((*ops[:2], "none", *ops[2:]))  # 1->2 is none
    assert identity(swap_nodes_1_2(arch)) == identity(arch)


@given(archs, st.data())
def test_identity_ignores_ops_on_cut_off_edges(arch: Arch, data: st.DataObject) -> None:
    pruned = prune(np.array([arch.codes]))[0]
    cut_off = [
        k for k in range(len(EDGES)) if arch.codes[k] != 0 and pruned[k] == 0
    ]  # real op, off every path
    assume(cut_off)
    edge, op = data.draw(st.sampled_from(cut_off)), data.draw(st.sampled_from(OPS))
    changed = list(arch.ops)
    changed[edge] = op
    assert identity(Arch(tuple(changed))) == identity(arch)
