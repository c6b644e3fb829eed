"""X-Request-ID: echoed or made, on every answer (errors and 401s included), and on every log line
of the request; and the log formats."""

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient
from service_apps import ClientFactory
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.api.request_id import RequestId
from service.core import logs

MADE = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/healthz", None, 200),
        ("get", "/search/no-such-job", None, 404),
        ("post", "/predict", {"space": "nb999", "cells": []}, 422),
    ],
)
def test_a_clients_id_is_echoed(
    client: TestClient, method: str, path: str, body: object, status: int
) -> None:
    response = client.request(method, path, json=body, headers={"X-Request-ID": "trace-42.a:b"})
    assert response.status_code == status
    assert response.headers["x-request-id"] == "trace-42.a:b"


@pytest.mark.parametrize("given", [None, "x" * 129, "no spaces allowed", "ünïcode".encode("latin-1")])
def test_an_id_is_made_when_none_usable_is_given(client: TestClient, given: str | bytes | None) -> None:
    headers = {} if given is None else {"X-Request-ID": given}
    first = client.get("/healthz", headers=headers).headers["x-request-id"]
    second = client.get("/healthz", headers=headers).headers["x-request-id"]
    assert MADE.match(first) and MADE.match(second) and first != second


def test_refusals_before_the_app_carry_it_too(app_factory: ClientFactory) -> None:
    with app_factory(api_key="secret", max_body_bytes=100) as client:
        refused = client.get("/models", headers={"X-Request-ID": "r1"})
        assert (refused.status_code, refused.headers["x-request-id"]) == (401, "r1")
        headers = {"X-Request-ID": "r2", "X-API-Key": "secret"}
        too_big = client.post("/predict", content=b"x" * 1000, headers=headers)
        assert (too_big.status_code, too_big.headers["x-request-id"]) == (413, "r2")


def test_every_log_line_of_a_request_carries_its_id() -> None:
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    handler.addFilter(logs.ContextFilter())
    logger = logging.getLogger("tests.request_id")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    async def endpoint(_: Request) -> Response:
        logger.info("handling")
        return Response(status_code=204)

    app = Starlette(routes=[Route("/", endpoint)], middleware=[Middleware(RequestId)])
    try:
        with TestClient(app) as client:
            client.get("/", headers={"X-Request-ID": "abc"})
        logger.info("outside any request")
    finally:
        logger.removeHandler(handler)
    lines = [(r.getMessage(), r.request_id) for r in seen]
    assert lines == [("handling", "abc"), ("outside any request", "-")]


def test_json_log_lines_are_one_object_each() -> None:
    record = logging.LogRecord("service.x", logging.WARNING, __file__, 1, "disk %s", ("full",), None)
    token = logs.job_id.set("job-7")
    try:
        logs.ContextFilter().filter(record)
    finally:
        logs.job_id.reset(token)
    line = json.loads(logs.formatter("json").format(record))
    assert {k: line[k] for k in ("level", "logger", "message", "request_id", "job_id")} == {
        "level": "WARNING",
        "logger": "service.x",
        "message": "disk full",
        "request_id": "-",
        "job_id": "job-7",
    }
    assert "[request - job job-7] disk full" in logs.formatter("text").format(record)
