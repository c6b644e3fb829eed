"""The optional API key guards every route but the health checks."""

from cells import NB101_CHAIN
from fastapi.testclient import TestClient
from service_apps import ClientFactory


def test_api_key_when_set(app_factory: ClientFactory) -> None:
    with app_factory(api_key="s3cret") as client:
        body = {"space": "nb101", "cells": [NB101_CHAIN]}
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        guarded = [
            ("POST", "/predict"),
            ("POST", "/rank"),
            ("GET", "/models"),
            ("GET", "/search"),
            ("GET", "/search/abc"),
            ("POST", "/search/abc/cancel"),
            ("GET", "/metrics"),
        ]
        for method, path in guarded:
            kwargs = {"json": body} if method == "POST" else {}
            assert client.request(method, path, **kwargs).status_code == 401, path
            wrong = client.request(method, path, headers={"X-API-Key": "guess"}, **kwargs)
            assert wrong.status_code == 401, path
        assert client.post("/predict", json=body, headers={"X-API-Key": "s3cret"}).status_code == 200
        assert client.get("/metrics", headers={"X-API-Key": "s3cret"}).status_code == 200


def test_no_key_needed_when_unset(client: TestClient) -> None:
    assert client.get("/models").status_code == 200
