"""NB101_SPACE through the Space contract: JSON in and out, identity, encodings, costs."""

import numpy as np
import pytest

from service.spaces import get_space
from service.spaces.base import InvalidCellError
from service.spaces.nb101.cell import Cell
from service.spaces.nb101.space import NB101_SPACE as SPACE

CHAIN = {"matrix": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", "maxpool3x3", "output"]}


def test_registered_under_its_name() -> None:
    assert get_space("nb101") is SPACE
    assert SPACE.name == "nb101"
    assert SPACE.default_encoding == "renas-full"
    assert dict(SPACE.encodings) == {"renas-full": (19, 7, 7), "renas-type": (1, 7, 7)}
    assert SPACE.encoding_version == 1


def test_json_round_trip_is_pruned() -> None:
    dangling = {
        "matrix": [[0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
        "ops": ["input", "conv3x3-bn-relu", "conv1x1-bn-relu", "output"],
    }
    cell = SPACE.parse(dangling)
    assert SPACE.to_json(cell) == {"matrix": [[0, 1], [0, 0]], "ops": ["input", "output"]}
    assert SPACE.parse(SPACE.to_json(cell)) == cell
    assert SPACE.parse(CHAIN) == Cell(CHAIN["matrix"], CHAIN["ops"])


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([[0, 1], [0, 0]], "a cell is an object"),
        ({"matrix": [[0, 1], [0, 0]]}, "missing 'ops'"),
        ({}, "missing 'matrix' and 'ops'"),
        ({"matrix": [[0, 1], [0, 0]], "ops": "input,output"}, "ops must be a list of op names, got str"),
    ],
)
def test_parse_names_the_problem(obj: object, message: str) -> None:
    with pytest.raises(InvalidCellError, match=message):
        SPACE.parse(obj)  # type: ignore[arg-type]


def test_identity_and_cost_are_of_the_class() -> None:
    branches = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]
    a = SPACE.parse({"matrix": branches, "ops": ["input", "conv1x1-bn-relu", "conv3x3-bn-relu", "output"]})
    b = SPACE.parse({"matrix": branches, "ops": ["input", "conv3x3-bn-relu", "conv1x1-bn-relu", "output"]})
    assert SPACE.identity(a) == SPACE.identity(b)
    params, flops = SPACE.cost([a, b])
    assert params.dtype == flops.dtype == np.int64
    assert params[0] == params[1] and flops[0] == flops[1]


def test_encode_takes_any_sequence_and_names_encodings() -> None:
    cells = (SPACE.parse(CHAIN),)
    assert SPACE.encode(cells).shape == (1, 19, 7, 7)
    assert SPACE.encode(cells, "renas-type").shape == (1, 1, 7, 7)
    assert SPACE.encode([]).shape == (0, 19, 7, 7)
