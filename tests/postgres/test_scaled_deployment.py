"""The scaled deployment as it runs: `renas-serve` processes that only accept, `renas-worker`
processes on the procrastinate queue, one PostgreSQL database; processes killed with SIGKILL."""

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from cells import NB201_CONVS
from live_server import WORKERS, answers_ready, free_port, running
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from service.jobs import service as jobs
from service.jobs.schemas import SearchRequest

QUICK = {"space": "nb201", "strategy": "random", "params": {"budget": 5}}
# A few seconds of work on this machine: long enough to be killed or cancelled while it runs.
MEDIUM = {"space": "nb101", "strategy": "evolution", "params": {"population": 16, "generations": 150}}
ENDLESS = {"space": "nb101", "strategy": "evolution", "params": {"population": 8, "generations": 10_000}}
FINISHED = {"succeeded", "failed", "cancelled"}


class Deployment:
    """Processes of one scaled deployment over one fresh database; all stopped at the end."""

    def __init__(self, models_dir: Path, database_url: str, stack: ExitStack) -> None:
        self.database = sa.create_engine(database_url)
        stack.callback(self.database.dispose)
        self.stack = stack
        self.env = {
            **os.environ,
            "RENAS_DATABASE_URL": database_url,
            "RENAS_MODELS_DIR": str(models_dir),
            "RENAS_PROVIDERS": '["CPUExecutionProvider"]',
            "RENAS_NB101_HASH_TABLE": "",
            "RENAS_BUILD_NB101_HASH_TABLE": "false",
            "RENAS_SEARCH_WORKERS": "0",  # the API processes only accept
            "RENAS_TRAIN_WORKERS": "0",
            "RENAS_JOB_LEASE_SECONDS": "2",
            "RENAS_MAX_QUEUED_JOBS": "1000",
            "RENAS_MAX_QUEUED_JOBS_PER_CLIENT": "1000",
        }
        self.env.pop("RENAS_API_KEY", None)

    def api(self) -> tuple[str, subprocess.Popen]:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = self._start(running({**self.env, "RENAS_PORT": str(port)}, lambda: answers_ready(url)))
        return url, process

    def worker(self, queue: str = "search") -> subprocess.Popen:
        before = self.workers()
        return self._start(running(self.env, lambda: self.workers() > before, command=WORKERS[queue]))

    def _start(self, process: AbstractContextManager[subprocess.Popen]) -> subprocess.Popen:
        return self.stack.enter_context(process)

    def workers(self) -> int:
        """Workers registered with the queue (and not stopped)."""
        with self.database.connect() as connection:
            try:
                return connection.scalar(sa.text("SELECT count(*) FROM procrastinate_workers")) or 0
            except sa.exc.ProgrammingError:  # no schema yet: the first process migrates
                return 0

    def rows(self) -> list[sa.Row]:
        with self.database.connect() as connection:
            return list(connection.execute(sa.text("SELECT id, status, attempts, worker, error FROM jobs")))

    def row(self, job_id: str) -> sa.Row:
        return next(r for r in self.rows() if r.id == job_id)

    def wait(self, condition: Callable[[], bool], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"still not true after {timeout} s; jobs: {self.rows()}")
            time.sleep(0.1)


@pytest.fixture
def deployment(models_dir: Path, postgres_url: str) -> Iterator[Deployment]:
    with ExitStack() as stack:
        yield Deployment(models_dir, postgres_url, stack)


def submit(url: str, body: dict) -> str:
    answer = httpx.post(f"{url}/search", json=body, timeout=30)
    assert answer.status_code == 202, answer.text
    return answer.json()["id"]


def test_two_apis_and_two_workers_run_200_jobs_each_exactly_once(deployment: Deployment) -> None:
    urls = [deployment.api()[0], deployment.api()[0]]
    deployment.worker()
    deployment.worker()
    accepted: list[str] = []

    def client(k: int) -> None:
        for i in range(25):
            accepted.append(submit(urls[(k + i) % 2], QUICK))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(accepted)) == 200
    deployment.wait(lambda: all(r.status in FINISHED for r in deployment.rows()), timeout=240)
    rows = deployment.rows()
    assert {r.id for r in rows} == set(accepted)
    assert {(r.status, r.attempts) for r in rows} == {("succeeded", 1)}  # each claimed (so run) once
    for url in urls:  # every job's result, from either API
        body = httpx.get(f"{url}/search/{accepted[-1]}").json()
        assert body["status"] == "succeeded" and body["result"]["evaluated"] == 5


def test_a_killed_worker_costs_its_job_one_attempt_and_the_other_worker_runs_it(
    deployment: Deployment,
) -> None:
    url, _ = deployment.api()
    workers = {w.pid: w for w in (deployment.worker(), deployment.worker())}
    job = submit(url, MEDIUM)
    deployment.wait(lambda: deployment.row(job).status == "running")
    holder = int(deployment.row(job).worker.rsplit(":", 1)[1])
    workers[holder].send_signal(signal.SIGKILL)
    deployment.wait(lambda: deployment.row(job).status in FINISHED, timeout=120)
    row = deployment.row(job)
    assert (row.status, row.attempts) == ("succeeded", 2), row.error
    other = next(pid for pid in workers if pid != holder)
    assert workers[other].poll() is None


def test_a_killed_api_loses_nothing_it_accepted_and_queued_jobs_survive_a_full_restart(
    deployment: Deployment,
) -> None:
    url, api = deployment.api()
    accepted = [submit(url, QUICK) for _ in range(10)]  # no worker yet: all queued
    api.send_signal(signal.SIGKILL)
    api.wait()
    second, _ = deployment.api()
    assert httpx.get(f"{second}/search?status=queued").json()["total"] == 10
    deployment.stack.close()  # stop everything
    with ExitStack() as stack:
        again = Deployment(
            Path(deployment.env["RENAS_MODELS_DIR"]), deployment.env["RENAS_DATABASE_URL"], stack
        )
        again.api()
        again.worker()
        again.wait(lambda: {r.status for r in again.rows()} == {"succeeded"})
        assert {r.id for r in again.rows()} == set(accepted)


def test_a_cancel_from_one_api_stops_the_job_running_in_a_worker(deployment: Deployment) -> None:
    (first, _), (second, _) = deployment.api(), deployment.api()
    deployment.worker()
    endless = submit(first, ENDLESS)
    deployment.wait(lambda: deployment.row(endless).status == "running")
    cancelled = httpx.post(f"{second}/search/{endless}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    after = submit(second, QUICK)  # the one worker is free again once the cancelled job stopped
    deployment.wait(lambda: deployment.row(after).status == "succeeded", timeout=30)
    assert deployment.row(endless).status == "cancelled"


def test_a_train_worker_refits_a_study_accepted_by_an_api_that_only_accepts(deployment: Deployment) -> None:
    url, _ = deployment.api()
    deployment.worker("train")
    with httpx.Client(base_url=url, timeout=120) as client:
        study = client.post("/studies", json={"space": "nb201", "seed": 2}).json()["id"]
        trials = client.post(f"/studies/{study}/ask", json={"n": 8}).json()["trials"]
        results = [{"trial": t["trial"], "value": float(t["params"] % 89)} for t in trials]
        assert client.post(f"/studies/{study}/tell", json={"results": results}).status_code == 200
        asked = client.post(f"/studies/{study}/ask", json={"n": 2, "wait": True}).json()
        assert asked["predictor"] is not None, asked["note"]
        scored = client.post(
            "/predict", json={"space": "nb201", "model": asked["predictor"], "cells": [NB201_CONVS]}
        )
        assert scored.status_code == 200 and scored.json()["predictions"][0]["spread"] is not None


def test_a_cancelled_queued_job_leaves_the_queue(deployment: Deployment) -> None:
    url, _ = deployment.api()  # no worker: the job stays queued
    job = submit(url, QUICK)
    assert httpx.post(f"{url}/search/{job}/cancel").json()["status"] == "cancelled"
    with deployment.database.connect() as connection:
        queued = connection.execute(
            sa.text("SELECT status::text FROM procrastinate_jobs WHERE queueing_lock = :id"), {"id": job}
        ).scalars()
        assert list(queued) == ["cancelled"]


def test_a_job_row_that_was_never_deferred_is_run(deployment: Deployment) -> None:
    """An API process that died between committing the row and deferring it: the sweep delivers it."""
    deployment.api()  # migrates the fresh database
    request = TypeAdapter(SearchRequest).validate_python(QUICK)
    with Session(deployment.database) as db:
        orphan = jobs.create_job(db, kind="search", request=request, model_id="nb201-b-default").id
    deployment.worker()
    deployment.wait(lambda: deployment.row(orphan).status == "succeeded")
