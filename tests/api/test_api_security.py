"""The optional API key guards every route but the health checks, before any body is read."""

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


def test_no_key_is_refused_before_the_body_is_parsed(app_factory: ClientFactory) -> None:
    with app_factory(api_key="s3cret") as client:
        headers = {"content-type": "application/json"}
        malformed = client.post("/predict", content=b'{"space": "nb101", "cells": [', headers=headers)
        assert malformed.status_code == 401 and malformed.headers["www-authenticate"] == "ApiKey"
        assert malformed.json() == {
            "detail": [{"loc": [], "msg": "missing or wrong X-API-Key", "type": "unauthorized"}]
        }
        with_key = client.post(
            "/predict", content=b'{"space": "nb101", "cells": [', headers={**headers, "X-API-Key": "s3cret"}
        )
        assert with_key.status_code == 422


def test_docs_need_the_key_unless_public(app_factory: ClientFactory) -> None:
    docs = ("/docs", "/redoc", "/openapi.json")
    with app_factory(api_key="s3cret") as client:
        for path in docs:
            assert client.get(path).status_code == 401, path
            assert client.get(path, headers={"X-API-Key": "s3cret"}).status_code == 200, path
    with app_factory(api_key="s3cret", public_docs=True) as client:
        for path in docs:
            assert client.get(path).status_code == 200, path
        assert client.get("/models").status_code == 401
