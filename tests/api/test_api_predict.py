"""POST /predict: scores in input order, model choice, and every kind of bad input."""

import numpy as np
import pytest
from cells import (
    NB101_BAD_OP,
    NB101_BRANCHES,
    NB101_BRANCHES_SWAPPED,
    NB101_CHAIN,
    NB201_BAD_OP,
    NB201_CONVS,
    NB201_SKIPS,
)
from fastapi.testclient import TestClient
from tiny_models import linear_weights

from service.api.schemas import PredictResponse
from service.inference.card import ModelCard
from service.spaces import get_space


def test_predicts_in_input_order_with_the_models_own_numbers(client: TestClient, models_dir) -> None:
    cells = [NB101_CHAIN, NB101_BRANCHES, NB101_BRANCHES_SWAPPED]
    response = client.post("/predict", json={"space": "nb101", "cells": cells})
    assert response.status_code == 200
    body = response.json()
    PredictResponse.model_validate(body)  # the documented response_model
    card = ModelCard.model_validate_json((models_dir / "nb101-tiny.json").read_text())
    assert body["model"]["id"] == "nb101-tiny"
    assert body["model"]["sha256"] == card.sha256
    assert body["model"]["providers"] == ["CPUExecutionProvider"]

    space = get_space("nb101")
    parsed = [space.parse(c) for c in cells]
    x = space.encode(parsed, card.encoding).reshape(len(cells), -1)
    expected = x @ linear_weights(x.shape[1], card.training.seed)[:, 0]
    params, flops = space.cost(parsed)
    predictions = body["predictions"]
    assert [p["index"] for p in predictions] == [0, 1, 2]
    np.testing.assert_allclose([p["score"] for p in predictions], expected, rtol=1e-4, atol=1e-4)
    assert [p["hash"] for p in predictions] == [space.identity(c) for c in parsed]
    assert [p["params"] for p in predictions] == params.tolist()
    assert [p["flops"] for p in predictions] == flops.tolist()


def test_isomorphic_cells_get_the_same_hash_and_score(client: TestClient) -> None:
    body = client.post(
        "/predict", json={"space": "nb101", "cells": [NB101_BRANCHES, NB101_BRANCHES_SWAPPED]}
    ).json()
    first, second = body["predictions"]
    assert first["hash"] == second["hash"]
    assert first["score"] == second["score"]


@pytest.mark.parametrize(
    ("extra", "model_id"),
    [
        ({}, "nb201-b-default"),  # the card marked default for nb201
        ({"dataset": "cifar100"}, "nb201-c100"),  # the only (so the first) cifar100 model
        ({"model": "nb201-a-other"}, "nb201-a-other"),
        ({"model": "nb201-a-other", "dataset": "cifar10"}, "nb201-a-other"),
    ],
)
def test_picks_the_model(client: TestClient, extra: dict, model_id: str) -> None:
    response = client.post("/predict", json={"space": "nb201", "cells": [NB201_CONVS], **extra})
    assert response.status_code == 200
    assert response.json()["model"]["id"] == model_id


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"model": "no-such-model"}, "unknown model 'no-such-model'"),
        ({"model": "nb101-tiny"}, "model 'nb101-tiny' is for space 'nb101', not 'nb201'"),
        ({"model": "nb201-c100", "dataset": "cifar10"}, "is for dataset 'cifar100', not 'cifar10'"),
        ({"dataset": "imagenet16-120"}, "no model loaded for nb201 / imagenet16-120"),
    ],
)
def test_unknown_model_is_404(client: TestClient, extra: dict, message: str) -> None:
    response = client.post("/predict", json={"space": "nb201", "cells": [NB201_SKIPS], **extra})
    assert response.status_code == 404
    assert message in response.json()["detail"][0]["msg"]


def test_invalid_cells_are_named_by_index_with_the_spaces_reason(client: TestClient) -> None:
    cells = [NB101_CHAIN, NB101_BAD_OP, NB101_CHAIN, NB101_BAD_OP]
    response = client.post("/predict", json={"space": "nb101", "cells": cells})
    assert response.status_code == 422
    body = response.json()
    assert body["invalid_cells"] == 2
    assert [e["loc"] for e in body["detail"]] == [["body", "cells", 1], ["body", "cells", 3]]
    assert body["detail"][0]["msg"].startswith("cells[1]: ")
    assert "conv5x5" in body["detail"][0]["msg"]


def test_invalid_nb201_cell_names_the_op(client: TestClient) -> None:
    response = client.post("/predict", json={"space": "nb201", "cells": [NB201_SKIPS, NB201_BAD_OP]})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["msg"].startswith("cells[1]: ")
    assert "conv_7x7" in error["msg"]


@pytest.mark.parametrize(
    "cell",
    [
        {},
        {"matrix": "not a matrix", "ops": []},
        {"matrix": [[0, 1], [0, 0]], "ops": ["input", "output", "conv3x3-bn-relu"]},
        {"matrix": [[0, 1, 2], [0, 0, 1], [0, 0, 0]], "ops": ["input", "conv3x3-bn-relu", "output"]},
        {"matrix": [[0, 0, 0], [1, 0, 0], [0, 1, 0]], "ops": ["input", "conv3x3-bn-relu", "output"]},
        {"matrix": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": [1, 2, 3]},
        {"arch": 5},
    ],
)
def test_malformed_nb101_cells_are_422(client: TestClient, cell: dict) -> None:
    response = client.post("/predict", json={"space": "nb101", "cells": [cell]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("cells[0]: ")


@pytest.mark.parametrize(
    "body",
    [
        {"space": "nb301", "cells": [NB101_CHAIN]},
        {"space": "nb101", "cells": []},
        {"space": "nb101", "cells": "all"},
        {"space": "nb101", "cells": [NB101_CHAIN], "unexpected": 1},
        {"cells": [NB101_CHAIN]},
    ],
)
def test_malformed_requests_are_422(client: TestClient, body: dict) -> None:
    assert client.post("/predict", json=body).status_code == 422


def test_the_docs_examples_work_as_pasted(client: TestClient) -> None:
    examples = client.get("/openapi.json").json()["paths"]
    for path in ("/predict", "/rank"):
        named = examples[path]["post"]["requestBody"]["content"]["application/json"]["examples"]
        for example in named.values():
            assert client.post(path, json=example["value"]).status_code == 200, example["summary"]
