"""Schemathesis fuzz of the OpenAPI schema: no input makes any route answer 5xx."""

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from service.main import create_app

# The schema does not depend on settings or start-up state; requests go to the running ``client``.
schema = schemathesis.openapi.from_dict(create_app().openapi())


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: schemathesis.Case, client: TestClient) -> None:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    response = client.request(
        kwargs["method"],
        kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        json=kwargs.get("json"),
        content=kwargs.get("data"),
    )
    assert response.status_code < 500, response.text
