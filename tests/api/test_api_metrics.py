"""The metrics about the work move when the work happens: cells scored, ONNX calls, cells per
request, jobs by kind and status, job queue wait and run time, studies and tells."""

from cells import NB201_CONVS, NB201_SKIPS
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from service_apps import FINISHED, wait_for_job, wait_until


def sample(client: TestClient, name: str, **labels: str) -> float:
    """The value of one sample of /metrics (0 when it is not there yet)."""
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_scoring_a_request_moves_the_inference_metrics(client: TestClient) -> None:
    model = "nb201-b-default"
    before = {
        "cells": sample(client, "renas_inference_cells_total", space="nb201", model=model),
        "calls": sample(client, "renas_inference_onnx_call_seconds_count", model=model),
        "requests": sample(client, "renas_request_cells_count", route="/predict"),
        "request_cells": sample(client, "renas_request_cells_sum", route="/predict"),
    }
    response = client.post("/predict", json={"space": "nb201", "cells": [NB201_CONVS, NB201_SKIPS]})
    assert response.status_code == 200
    assert sample(client, "renas_inference_cells_total", space="nb201", model=model) == before["cells"] + 2
    assert sample(client, "renas_inference_onnx_call_seconds_count", model=model) == before["calls"] + 1
    assert sample(client, "renas_request_cells_count", route="/predict") == before["requests"] + 1
    assert sample(client, "renas_request_cells_sum", route="/predict") == before["request_cells"] + 2


def test_a_finished_job_moves_the_job_metrics(client: TestClient) -> None:
    run = {"kind": "search", "status": "succeeded"}
    before = sample(client, "renas_job_run_seconds_count", **run)
    waited = sample(client, "renas_job_queue_wait_seconds_count", kind="search")
    cells = sample(client, "renas_inference_cells_total", space="nb201", model="nb201-b-default")
    body = {"space": "nb201", "strategy": "random", "params": {"budget": 30}}
    job = wait_for_job(client, client.post("/search", json=body).json()["id"], FINISHED)
    assert job["status"] == "succeeded"
    assert sample(client, "renas_jobs", **run) >= 1  # read from the table at the scrape
    wait_until(lambda: sample(client, "renas_job_run_seconds_count", **run) == before + 1)
    assert sample(client, "renas_job_queue_wait_seconds_count", kind="search") == waited + 1
    scored = sample(client, "renas_inference_cells_total", space="nb201", model="nb201-b-default")
    assert scored == cells + job["result"]["evaluated"]


def test_studies_and_tells_are_counted(client: TestClient) -> None:
    studies = sample(client, "renas_studies")
    tells = sample(client, "renas_study_tells_total", result="value")
    study = client.post("/studies", json={"space": "nb201"}).json()["id"]
    client.post(f"/studies/{study}/tell", json={"results": [{"cell": NB201_CONVS, "value": 1.0}]})
    assert sample(client, "renas_studies") == studies + 1
    assert sample(client, "renas_study_tells_total", result="value") == tells + 1
