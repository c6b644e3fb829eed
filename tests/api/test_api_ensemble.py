"""An ensemble served by /predict and /rank: each score comes with the members' spread, and the model
info says how many members there are; single models answer a null spread."""

from collections.abc import Iterator

import numpy as np
import pytest
from cells import NB101_CHAIN, NB201_CONVS, NB201_SKIPS
from fastapi.testclient import TestClient
from service_apps import make_settings, running_app
from tiny_models import linear_weights, write_model

from service.api.schemas import NB201_OTHER, PredictResponse, RankResponse
from service.spaces import get_space

SEEDS = (21, 22, 23)
CELLS = [NB201_CONVS, NB201_SKIPS, {"arch": NB201_OTHER}]


@pytest.fixture(scope="module")
def ensemble_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app serving an nb201 ensemble (the default) and a single nb201 model."""
    models = tmp_path_factory.mktemp("ensemble-models")
    write_model(models, "nb201-ensemble", "nb201", dataset="cifar10", default=True, member_seeds=SEEDS)
    write_model(models, "nb201-single", "nb201", dataset="cifar10", seed=5)
    with running_app(make_settings(models, tmp_path_factory.mktemp("db") / "renas.db")) as client:
        yield client


def expected(cells: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """The ensemble's mean and population std, computed here from its members' weights."""
    space = get_space("nb201")
    x = space.encode([space.parse(c) for c in cells], space.default_encoding).reshape(len(cells), -1)
    each = np.stack([x @ linear_weights(x.shape[1], seed)[:, 0] for seed in SEEDS], axis=1)
    return each.mean(axis=1), each.std(axis=1, ddof=0)


def test_predict_answers_the_spread(ensemble_client: TestClient) -> None:
    response = ensemble_client.post("/predict", json={"space": "nb201", "cells": CELLS})
    assert response.status_code == 200
    body = response.json()
    PredictResponse.model_validate(body)
    assert body["model"]["id"] == "nb201-ensemble"
    assert (body["model"]["members"], body["model"]["has_spread"]) == (3, True)
    mean, spread = expected(CELLS)
    predictions = body["predictions"]
    np.testing.assert_allclose([p["score"] for p in predictions], mean, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose([p["spread"] for p in predictions], spread, rtol=1e-4, atol=1e-4)


def test_rank_answers_each_cells_spread(ensemble_client: TestClient) -> None:
    predicted = ensemble_client.post("/predict", json={"space": "nb201", "cells": CELLS}).json()[
        "predictions"
    ]
    response = ensemble_client.post("/rank", json={"space": "nb201", "cells": CELLS, "top_k": 2})
    assert response.status_code == 200
    RankResponse.model_validate(response.json())
    ranking = response.json()["ranking"]
    assert len(ranking) == 2
    assert [entry["spread"] for entry in ranking] == [
        predicted[entry["index"]]["spread"] for entry in ranking
    ]
    assert all(entry["spread"] > 0 for entry in ranking)


@pytest.mark.parametrize("path", ["/predict", "/rank"])
def test_a_single_model_answers_a_null_spread(ensemble_client: TestClient, path: str) -> None:
    body = ensemble_client.post(path, json={"space": "nb201", "model": "nb201-single", "cells": CELLS}).json()
    assert (body["model"]["members"], body["model"]["has_spread"]) == (1, False)
    entries = body["predictions" if path == "/predict" else "ranking"]
    assert len(entries) == 3 and all(entry["spread"] is None for entry in entries)


def test_the_shared_tiny_models_answer_a_null_spread(client: TestClient) -> None:
    predicted = client.post("/predict", json={"space": "nb101", "cells": [NB101_CHAIN]}).json()
    assert predicted["predictions"][0]["spread"] is None and predicted["model"]["has_spread"] is False
    ranked = client.post("/rank", json={"space": "nb201", "cells": [NB201_CONVS]}).json()
    assert ranked["ranking"][0]["spread"] is None and ranked["model"]["members"] == 1


def test_openapi_documents_the_spread(ensemble_client: TestClient) -> None:
    schemas = ensemble_client.get("/openapi.json").json()["components"]["schemas"]
    assert "spread" in schemas["Prediction"]["properties"] and "spread" in schemas["Prediction"]["required"]
    assert {"members", "has_spread"} <= set(schemas["ModelInfo"]["properties"])
