"""NB201_SPACE through the Space contract: JSON forms, errors, and delegation to the domain modules."""

import re

import numpy as np
import pytest

from service.spaces import get_space
from service.spaces.base import InvalidCellError
from service.spaces.nb201.arch import Arch
from service.spaces.nb201.space import NB201_SPACE

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


def test_registered_under_its_name() -> None:
    space = get_space("nb201")
    assert space is NB201_SPACE
    assert space.name == "nb201"
    assert space.encoding_version == 1
    assert space.encodings[space.default_encoding] == (7, 8, 8)


def test_parses_both_json_forms_and_round_trips() -> None:
    cell = NB201_SPACE.parse({"arch": ARCH})
    assert NB201_SPACE.parse({"matrix": cell.to_matrix()}) == cell
    assert NB201_SPACE.to_json(cell) == {"arch": ARCH}
    assert NB201_SPACE.parse(NB201_SPACE.to_json(cell)) == cell


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([ARCH], "expected an object with 'arch' or 'matrix', got list"),
        ({"arch": ARCH, "ops": [], 3: None}, "unknown field(s) 'ops', 3"),
        ({}, "expected exactly one of 'arch' or 'matrix', got neither"),
        ({"arch": ARCH, "matrix": []}, "expected exactly one of 'arch' or 'matrix', got ['arch', 'matrix']"),
        ({"arch": "|conv5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|"}, "unknown op 'conv5x5' on edge 0->1"),
    ],
)
def test_parse_rejects(obj: object, message: str) -> None:
    with pytest.raises(InvalidCellError, match=re.escape(message)):
        NB201_SPACE.parse(obj)  # type: ignore[arg-type]


def test_rejects_cells_of_another_space() -> None:
    with pytest.raises(TypeError, match="expected an nb201 Arch"):
        NB201_SPACE.identity(("conv3x3-bn-relu",))


def test_identity_encode_and_cost() -> None:
    cell = NB201_SPACE.parse({"arch": ARCH})
    assert NB201_SPACE.identity(cell) == ARCH
    assert NB201_SPACE.encode([cell, cell]).shape == (2, 7, 8, 8)
    assert NB201_SPACE.encode([cell], "renas-type").shape == (1, 1, 8, 8)
    params, flops = NB201_SPACE.cost([cell])
    assert (params.dtype, flops.dtype) == (np.int64, np.int64)


def test_search_operators_stay_in_the_space() -> None:
    rng = np.random.default_rng(3)
    parents = NB201_SPACE.sample(rng, 2)
    assert all(isinstance(p, Arch) for p in parents)
    assert isinstance(NB201_SPACE.mutate(parents[0], rng), Arch)
    assert isinstance(NB201_SPACE.crossover(*parents, rng), Arch)
    assert sum(1 for _ in NB201_SPACE.enumerate()) == 15_625
