"""Search jobs end to end: run, list, cancel, bad requests, and what a restart does to them."""

import multiprocessing
import os
import signal

import httpx
from fastapi.testclient import TestClient
from service_apps import FINISHED, ClientFactory, wait_for_job, wait_until
from sqlalchemy.orm import Session, sessionmaker

from service.core.db import make_engine, make_sessionmaker
from service.core.orm import utcnow
from service.jobs.models import Job, JobStatus
from service.spaces import get_space

# Evolution far longer than any test: only cancellation or shut-down ends it.
ENDLESS = {"space": "nb101", "strategy": "evolution", "params": {"population": 8, "generations": 10_000}}
QUICK = {"space": "nb201", "strategy": "random", "params": {"budget": 20}}


def test_exhaustive_nb201_job_succeeds_with_the_best_cells(client: TestClient) -> None:
    response = client.post("/search", json={"space": "nb201", "strategy": "exhaustive", "top_k": 5})
    assert response.status_code == 202
    created = response.json()
    assert created["status"] == "queued"
    assert response.headers["location"] == f"/search/{created['id']}"

    job = wait_for_job(client, created["id"], FINISHED)
    assert job["status"] == "succeeded", job["error"]
    assert job["model"] == "nb201-b-default"
    assert job["progress"]["fraction"] == 1.0
    assert job["progress"]["evaluated"] == job["result"]["evaluated"] > 0
    assert job["started_at"] <= job["finished_at"]
    top = job["result"]["top"]
    assert len(top) == 5
    assert [c["score"] for c in top] == sorted((c["score"] for c in top), reverse=True)
    assert len({c["hash"] for c in top}) == 5

    # the result's cells are ones /predict accepts, and it scores them the same
    cells = [c["cell"] for c in top]
    predicted = client.post("/predict", json={"space": "nb201", "model": job["model"], "cells": cells}).json()
    space = get_space("nb201")
    assert [p["hash"] for p in predicted["predictions"]] == [space.identity(space.parse(c)) for c in cells]
    for candidate, prediction in zip(top, predicted["predictions"], strict=True):
        assert abs(candidate["score"] - prediction["score"]) < 1e-4
        assert (candidate["params"], candidate["flops"]) == (prediction["params"], prediction["flops"])


def test_constrained_random_search_respects_the_budget(client: TestClient) -> None:
    body = {"space": "nb101", "strategy": "random", "top_k": 3, "seed": 7, "max_params": 2_000_000,
            "params": {"budget": 200}}  # fmt: skip
    job = wait_for_job(client, client.post("/search", json=body).json()["id"], FINISHED)
    assert job["status"] == "succeeded", job["error"]
    assert job["progress"]["fraction"] == 1.0
    assert job["request"]["seed"] == 7
    assert 1 <= len(job["result"]["top"]) <= 3
    assert all(c["params"] <= 2_000_000 for c in job["result"]["top"])


def test_final_progress_is_the_final_state(client: TestClient) -> None:
    """Progress writes are rate-limited; the finished job still shows the last generation and best score."""
    body = {"space": "nb101", "strategy": "evolution", "top_k": 2, "seed": 3,
            "params": {"population": 8, "generations": 60}}  # fmt: skip
    job = wait_for_job(client, client.post("/search", json=body).json()["id"], FINISHED)
    assert job["status"] == "succeeded", job["error"]
    assert job["progress"]["generation"] == job["result"]["generations"] == 60
    assert job["progress"]["best_score"] == job["result"]["top"][0]["score"]
    assert job["progress"]["evaluated"] == job["result"]["evaluated"]


def test_cancel_stops_a_running_job_and_frees_its_worker(client: TestClient) -> None:
    job_id = client.post("/search", json=ENDLESS).json()["id"]
    wait_for_job(client, job_id, {"running"})
    response = client.post(f"/search/{job_id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["finished_at"] is not None

    # the only worker picks up the next job, so the cancelled search really stopped
    quick = client.post("/search", json={"space": "nb201", "strategy": "random", "params": {"budget": 50}})
    assert wait_for_job(client, quick.json()["id"], FINISHED)["status"] == "succeeded"
    assert client.get(f"/search/{job_id}").json()["status"] == "cancelled"

    again = client.post(f"/search/{job_id}/cancel")
    assert again.status_code == 200  # cancelling twice is harmless
    finished = client.post(f"/search/{quick.json()['id']}/cancel")
    assert finished.status_code == 409
    assert "already succeeded" in finished.json()["detail"][0]["msg"]


def test_list_is_paginated_newest_first(client: TestClient) -> None:
    body = {"space": "nb201", "strategy": "random", "params": {"budget": 10}}
    ids = [client.post("/search", json={**body, "seed": i}).json()["id"] for i in range(3)]
    for job_id in ids:
        wait_for_job(client, job_id, FINISHED)
    page = client.get("/search", params={"limit": 2}).json()
    assert page["limit"] == 2 and page["offset"] == 0
    assert [j["id"] for j in page["items"]] == [ids[2], ids[1]]
    total = page["total"]
    rest = client.get("/search", params={"limit": 2, "offset": 2}).json()
    assert rest["items"][0]["id"] == ids[0]
    succeeded = client.get("/search", params={"status": "succeeded", "limit": 200}).json()
    assert succeeded["total"] <= total
    assert all(j["status"] == "succeeded" for j in succeeded["items"])


def test_bad_search_requests(client: TestClient) -> None:
    def post(**body: object) -> httpx.Response:
        return client.post("/search", json={"space": "nb201", "strategy": "random", **body})

    bad_params = post(params={"budget": 0, "colour": "red"})
    assert bad_params.status_code == 422
    problems = {tuple(e["loc"]): e["type"] for e in bad_params.json()["detail"]}
    assert problems == {
        ("body", "random", "params", "budget"): "greater_than_equal",
        ("body", "random", "params", "colour"): "extra_forbidden",
    }
    assert post(strategy="annealing").status_code == 422
    assert post(top_k=0).status_code == 422
    assert post(max_params=-1).status_code == 422
    assert post(model="nb101-tiny").status_code == 404
    assert client.get("/search/no-such-job").status_code == 404
    assert client.post("/search/no-such-job/cancel").status_code == 404
    assert client.get("/search", params={"status": "lost"}).status_code == 422


def test_a_restart_loses_no_job(app_factory: ClientFactory, tmp_path) -> None:
    """Queued jobs wait through a restart; a running one is given back at shut-down and runs again;
    a row a crashed service left running (its lease never renewed) runs again too."""
    others = set(multiprocessing.active_children())  # other tests' apps and their workers
    with app_factory() as client:
        done = client.post("/search", json={"space": "nb201", "strategy": "exhaustive", "top_k": 2}).json()
        done_job = wait_for_job(client, done["id"], FINISHED)
        running = client.post("/search", json=ENDLESS).json()["id"]
        wait_for_job(client, running, {"running"})
        queued = client.post("/search", json=QUICK).json()["id"]  # behind the endless one: one worker
        workers = set(multiprocessing.active_children()) - others
    assert workers and not any(worker.is_alive() for worker in workers)  # shut-down stopped them

    sessions = make_sessionmaker(make_engine(f"sqlite:///{tmp_path / 'renas.db'}"))
    with sessions() as db:
        assert (db.get(Job, running).status, db.get(Job, running).attempts) == ("queued", 0)
        assert db.get(Job, queued).status == "queued"
        db.add(Job(id="crashed", kind="search", status=JobStatus.running, model_id="nb201-b-default",
                   request={"space": "nb201", "strategy": "exhaustive"}, progress={}, attempts=1,
                   worker="gone:1", created_at=utcnow(), started_at=utcnow()))  # fmt: skip
        db.commit()

    with app_factory() as client:
        assert client.get(f"/search/{done['id']}").json() == done_job
        wait_for_job(client, running, {"running"})  # the oldest queued job runs first
        client.post(f"/search/{running}/cancel")
        for job_id in (queued, "crashed"):
            assert wait_for_job(client, job_id, FINISHED)["status"] == "succeeded"
    with sessions() as db:
        assert db.get(Job, "crashed").attempts == 2


def _worker_of(sessions: sessionmaker[Session], job_id: str) -> int:
    """The pid in the job's lease."""
    pid = _worker_of_or_none(sessions, job_id)
    assert pid is not None, f"job {job_id} is not running"
    return pid


def test_the_docs_search_examples_are_accepted(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    examples = paths["/search"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    for example in examples.values():
        response = client.post("/search", json=example["value"])
        assert response.status_code == 202, example["summary"]
        client.post(f"/search/{response.json()['id']}/cancel")  # keep the worker free


def test_a_dead_worker_costs_only_its_own_job_an_attempt(app_factory: ClientFactory, tmp_path) -> None:
    sessions = make_sessionmaker(make_engine(f"sqlite:///{tmp_path / 'renas.db'}"))
    with app_factory(search_workers=2) as client:
        victim, bystander = (client.post("/search", json=ENDLESS).json()["id"] for _ in range(2))
        for job_id in (victim, bystander):
            wait_for_job(client, job_id, {"running"})
        first = _worker_of(sessions, victim)
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: _worker_of_or_none(sessions, victim) not in (None, first))  # run again
        os.kill(_worker_of(sessions, victim), signal.SIGKILL)
        job = wait_for_job(client, victim, FINISHED)
        assert job["status"] == "failed"
        assert job["error"] == "worker died (exit code -9) (attempt 2 of 2)"
        assert client.get(f"/search/{bystander}").json()["status"] == "running"  # untouched
        client.post(f"/search/{bystander}/cancel")
        quick = client.post(
            "/search", json={"space": "nb201", "strategy": "random", "params": {"budget": 20}}
        )
        assert wait_for_job(client, quick.json()["id"], FINISHED)["status"] == "succeeded"


def _worker_of_or_none(sessions: sessionmaker[Session], job_id: str) -> int | None:
    with sessions() as db:
        job = db.get(Job, job_id)
        return None if job.worker is None or job.status != "running" else int(job.worker.rsplit(":", 1)[1])
