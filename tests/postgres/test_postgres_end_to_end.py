"""The service on PostgreSQL (the scaled deployment's database): jobs and studies end to end, a
restart that loses nothing, and concurrent asks; each test on a database of its own."""

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from cells import NB201_CONVS
from fastapi.testclient import TestClient
from service_apps import FINISHED, running_app, wait_for_job

from service.core.config import Settings

ENDLESS = {"space": "nb101", "strategy": "evolution", "params": {"population": 8, "generations": 10_000}}
QUICK = {"space": "nb201", "strategy": "random", "params": {"budget": 20}}


@pytest.fixture
def pg_app(models_dir: Path, postgres_url: str) -> Callable[[], AbstractContextManager[TestClient]]:
    """Apps over one fresh PostgreSQL database."""
    settings = Settings(models_dir=models_dir, database_url=postgres_url, providers=["CPUExecutionProvider"])
    return lambda: running_app(settings)


def test_search_jobs_run_list_and_cancel(pg_app) -> None:
    with pg_app() as client:
        assert client.get("/readyz").json()["database_writable"] is True
        done = client.post("/search", json={"space": "nb201", "strategy": "exhaustive", "top_k": 3}).json()
        job = wait_for_job(client, done["id"], FINISHED)
        assert job["status"] == "succeeded" and len(job["result"]["top"]) == 3
        assert job["progress"]["fraction"] == 1.0
        endless = client.post("/search", json=ENDLESS).json()["id"]
        wait_for_job(client, endless, {"running"})
        assert client.post(f"/search/{endless}/cancel").json()["status"] == "cancelled"
        page = client.get("/search").json()
        assert page["total"] == 2 and page["items"][0]["id"] == endless


def test_a_restart_loses_no_job(pg_app) -> None:
    with pg_app() as client:
        running = client.post("/search", json=ENDLESS).json()["id"]
        wait_for_job(client, running, {"running"})
        queued = client.post(
            "/search", json={"space": "nb201", "strategy": "random", "params": {"budget": 20}}
        )
    with pg_app() as client:
        wait_for_job(client, running, {"running"})  # given back at shut-down, running again
        client.post(f"/search/{running}/cancel")
        assert wait_for_job(client, queued.json()["id"], FINISHED)["status"] == "succeeded"


def test_a_study_loop(pg_app) -> None:
    with pg_app() as client:
        study = client.post("/studies", json={"space": "nb201", "goal": "minimize"}).json()["id"]
        trials = client.post(f"/studies/{study}/ask", json={"n": 5}).json()["trials"]
        assert len({t["hash"] for t in trials}) == 5
        told = client.post(
            f"/studies/{study}/tell",
            json={
                "results": [{"trial": trials[0]["trial"], "value": 2.0}, {"cell": NB201_CONVS, "value": 1.0}]
            },
        )
        assert told.status_code == 200, told.text
        summary = client.get(f"/studies/{study}").json()
        assert summary["best"]["value"] == 1.0 and summary["counts"]["told"] == 2
        conflict = client.post(
            f"/studies/{study}/tell", json={"results": [{"trial": trials[0]["trial"], "value": 3.0}]}
        )
        assert conflict.status_code == 409


def test_concurrent_asks_never_share_a_network(pg_app) -> None:
    with pg_app() as client:
        study = client.post("/studies", json={"space": "nb201", "seed": 5}).json()["id"]
        batches: list[list[dict]] = []
        threads = [
            threading.Thread(
                target=lambda: batches.append(
                    client.post(f"/studies/{study}/ask", json={"n": 10}).json()["trials"]
                )
            )
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        trials = [t for batch in batches for t in batch]
        assert len(trials) == 40 and len({t["hash"] for t in trials}) == 40


def test_a_study_refits_and_its_model_is_stored_in_postgres(pg_app) -> None:
    with pg_app() as client:
        study = client.post("/studies", json={"space": "nb201", "seed": 1}).json()["id"]
        trials = client.post(f"/studies/{study}/ask", json={"n": 8}).json()["trials"]
        results = [{"trial": t["trial"], "value": float(t["params"] % 97)} for t in trials]  # any values
        assert client.post(f"/studies/{study}/tell", json={"results": results}).status_code == 200
        asked = client.post(f"/studies/{study}/ask", json={"n": 3, "wait": True}).json()
        assert asked["predictor"] is not None and asked["note"] is None
        assert {t["reason"] for t in asked["trials"]} == {"acquisition"}
    with pg_app() as client:  # another process: the model comes from the database
        scored = client.post(
            "/predict", json={"space": "nb201", "model": asked["predictor"], "cells": [NB201_CONVS]}
        )
        assert scored.status_code == 200 and scored.json()["predictions"][0]["spread"] is not None
