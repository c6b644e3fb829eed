"""ReNAS tensors: shapes, hand-checked entries, and identical tensors for isomorphic cells."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from service.spaces.nb201.arch import EDGES, OPS, Arch, codes_of
from service.spaces.nb201.encoding import ENCODINGS, encode_codes
from service.spaces.nb201.graph import SPACE_SIZE, codes_at, prune

archs = st.tuples(*[st.sampled_from(OPS)] * len(EDGES)).map(Arch)
# input -> skip (vertex 2, edge 0->2) -> conv1x1 (vertex 6, edge 2->3) -> output (vertex 7)
CHAIN = Arch.from_string("|none~0|+|skip_connect~0|none~1|+|none~0|none~1|nor_conv_1x1~2|")
# the same chain through node 1: its canonical representative is CHAIN
CHAIN_VIA_1 = Arch.from_string("|skip_connect~0|+|none~0|none~1|+|none~0|nor_conv_1x1~1|none~2|")


def encode(*cells: Arch, encoding: str = "renas-full") -> np.ndarray:
    return encode_codes(codes_of(list(cells)), encoding)


def test_shapes_and_dtype() -> None:
    assert ENCODINGS == {"renas-full": (7, 8, 8), "renas-type": (1, 8, 8)}
    for name, shape in ENCODINGS.items():
        tensor = encode(CHAIN, CHAIN, encoding=name)
        assert tensor.shape == (2, *shape)
        assert tensor.dtype == np.float32


def test_chain_by_hand() -> None:
    tensor, via_1 = encode(CHAIN, CHAIN_VIA_1)
    np.testing.assert_array_equal(tensor, via_1)
    expected_type = np.zeros((8, 8), dtype=np.float32)
    expected_type[0, 2] = 2  # skip_connect
    expected_type[2, 6] = 3  # nor_conv_1x1
    expected_type[6, 7] = 6  # output
    np.testing.assert_allclose(tensor[0], expected_type)
    for stage, c in enumerate((16, 32, 64)):
        flops, params = tensor[1 + stage], tensor[4 + stage]
        assert np.count_nonzero(flops) == np.count_nonzero(params) == 1
        assert flops[2, 6] == pytest.approx(1 / 9)  # 1x1 conv over a 3x3 conv
        assert params[2, 6] == pytest.approx((c * c + 2 * c) / (9 * c * c + 2 * c))


def test_type_encoding_is_the_first_channel_of_the_full_one() -> None:
    codes = codes_at(np.arange(0, SPACE_SIZE, 97))
    np.testing.assert_array_equal(encode_codes(codes, "renas-type")[:, 0], encode_codes(codes)[:, 0])


def test_value_ranges_and_cut_off_cells_are_empty() -> None:
    tensor = encode_codes(codes_at(np.arange(SPACE_SIZE)))
    assert set(np.unique(tensor[:, 0]).tolist()) == {0, 2, 3, 4, 5, 6}  # no edge enters the input (1)
    assert tensor[:, 1:].min() == 0 and tensor[:, 1:].max() == 1
    np.testing.assert_array_equal(tensor[:, 1], tensor[:, 3])  # c^2 h^2 is the same in every stage
    dead = Arch.from_string("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|")
    assert not encode(dead).any()


def test_unknown_encoding() -> None:
    with pytest.raises(KeyError, match="unknown encoding 'onehot'"):
        encode(CHAIN, encoding="onehot")


@given(st.tuples(*[st.sampled_from(OPS)] * 5))
def test_identical_tensor_under_the_legal_node_swap(ops: tuple[str, ...]) -> None:
    o01, o02, o03, o13, o23 = ops
    arch = Arch((o01, o02, "none", o03, o13, o23))
    swapped = Arch((o02, o01, "none", o03, o23, o13))
    tensors = encode(arch, swapped)
    np.testing.assert_array_equal(tensors[0], tensors[1])


@given(archs, st.data())
def test_identical_tensor_whatever_the_op_on_a_cut_off_edge(arch: Arch, data: st.DataObject) -> None:
    pruned = prune(np.array([arch.codes]))[0]
    cut_off = [k for k in range(len(EDGES)) if arch.codes[k] != 0 and pruned[k] == 0]
    assume(cut_off)
    edge, op = data.draw(st.sampled_from(cut_off)), data.draw(st.sampled_from(OPS))
    changed = list(arch.ops)
    changed[edge] = op
    tensors = encode(arch, Arch(tuple(changed)))
    np.testing.assert_array_equal(tensors[0], tensors[1])
