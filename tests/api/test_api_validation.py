"""Request models take types strictly, and a 422 never echoes a large input back."""

import json

import pytest
from cells import NB101_CHAIN
from fastapi.testclient import TestClient

from service.api.errors import MAX_ECHOED_CHARS


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_flops", False), ("max_params", True), ("top_k", 2.0), ("seed", "1"), ("top_k", True)],
)
def test_search_numbers_are_strict(client: TestClient, field: str, value: object) -> None:
    body = {"space": "nb201", "strategy": "exhaustive", field: value}
    response = client.post("/search", json=body)
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "exhaustive", field]  # the strategy's request names the field


def test_rank_top_k_is_strict(client: TestClient) -> None:
    response = client.post("/rank", json={"space": "nb101", "cells": [NB101_CHAIN], "top_k": True})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "top_k"]


def test_a_huge_bad_value_is_not_echoed(client: TestClient) -> None:
    huge = "x" * 1_000_000
    response = client.post("/predict", json={"space": huge, "cells": [NB101_CHAIN]})
    assert response.status_code == 422
    assert len(response.content) < 2_000
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "space"]
    assert error["input"].startswith("x" * MAX_ECHOED_CHARS) and "1,000,000 characters" in error["input"]


def test_a_short_bad_value_is_echoed_as_given(client: TestClient) -> None:
    response = client.post("/predict", json={"space": "nb999", "cells": [NB101_CHAIN]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["input"] == "nb999"


def test_a_huge_bad_object_is_clipped(client: TestClient) -> None:
    cells = {"not": "a list", "padding": ["y" * 100] * 1000}
    response = client.post("/predict", json={"space": "nb101", "cells": cells})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert len(json.dumps(error)) < 1_000


def test_a_non_finite_number_is_a_422_not_a_500(client: TestClient) -> None:
    """Python's JSON reader takes Infinity and NaN; echoing them back must not break the 422."""
    body = '{"space": "nb201", "strategy": "exhaustive", "max_flops": Infinity, "seed": NaN}'
    response = client.post("/search", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "exhaustive", "max_flops"),
        ("body", "exhaustive", "seed"),
    }


def test_every_error_has_the_one_shape(client: TestClient) -> None:
    """404s (a route's and an unknown path), 405, 409, 413 and 422 alike: a list of loc, msg, type."""
    answers = [
        client.get("/search/no-such-job"),
        client.get("/no/such/path"),
        client.delete("/predict"),
        client.post("/predict", json={"space": "nb201", "cells": [NB101_CHAIN]}),
        client.post("/predict", json={"space": "nb201", "model": "nope", "cells": [{"arch": "x"}]}),
    ]
    assert [a.status_code for a in answers] == [404, 404, 405, 422, 404]
    for answer in answers:
        (problem, *_) = answer.json()["detail"]
        assert set(problem) >= {"loc", "msg", "type"} and problem["msg"]


def test_openapi_documents_the_error_shape_with_an_example(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    responses = schema["paths"]["/search/{job_id}"]["get"]["responses"]
    example = responses["404"]["content"]["application/json"]["example"]
    assert example["detail"][0]["type"] == "not_found"
    assert responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert "401" in schema["paths"]["/predict"]["post"]["responses"]
