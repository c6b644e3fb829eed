"""The scaled deployment on this machine, side by side in one run (docs/BENCHMARKS.md, SCALING.md):

- jobs: NB-201 exhaustive search jobs per second through `renas-serve` (only accepting) and 1, then 2,
  `renas-worker --queue search` processes on one PostgreSQL database: ``--jobs`` submitted at once,
  timed from the first POST to the last success;
- /predict: requests per second of 8 concurrent clients (one asyncio loop, a 1-cell NB-201 body),
  against 1, then 2, `renas-serve` processes (the clients alternate between them: the proxy's job);
- submit-to-result of a short job (NB-201 random, budget 5), sequential, polled every 5 ms: the
  embedded deployment (SQLite, its own worker) against the scaled one (PostgreSQL, one API process
  and one `renas-worker`); the difference is what PostgreSQL and procrastinate add;
- cancellation across processes: a long job running in the one worker is cancelled through a second
  API process, which at once submits a short job; the time from the cancel to that job's start is
  how long the running job took to stop, plus a delivery.

Each case runs on a fresh database (PostgreSQL: created on the server at ``--postgres`` and dropped
afterwards). The processes run the models in ``--models-dir``; RENAS_* variables pass through.

    .venv/bin/python scripts/bench_scale.py --models-dir models
"""

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated

import httpx
import sqlalchemy as sa
import typer
from processes import answers_ready, free_port, started

app = typer.Typer(add_completion=False)
BIN = Path(sys.executable).parent
EXHAUSTIVE = {"space": "nb201", "strategy": "exhaustive", "top_k": 5}
SHORT = {"space": "nb201", "strategy": "random", "params": {"budget": 5}}
LONG = {"space": "nb101", "strategy": "evolution", "params": {"population": 8, "generations": 10_000}}
PREDICT = {
    "space": "nb201",
    "cells": [
        {"arch": "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"}
    ],
}


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    name = f"renas_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Deployment:
    """API processes and workers over one database, stopped together."""

    def __init__(self, models_dir: Path, database_url: str, stack: ExitStack, **settings: str) -> None:
        self.stack = stack
        self.database_url = database_url
        self.env = {
            **os.environ,
            "RENAS_MODELS_DIR": str(models_dir),
            "RENAS_DATABASE_URL": database_url,
            "RENAS_LOG_LEVEL": "warning",
            "RENAS_BUILD_NB101_HASH_TABLE": "false",  # NB-201 only: no background build to compete
            "RENAS_TRAIN_WORKERS": "0",
            "RENAS_SEARCH_WORKERS": "0",
            "RENAS_MAX_QUEUED_JOBS": "10000",
            "RENAS_MAX_QUEUED_JOBS_PER_CLIENT": "10000",
            **settings,
        }

    def api(self) -> str:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**self.env, "RENAS_PORT": str(port)}
        self.stack.enter_context(started([str(BIN / "renas-serve")], env, lambda: answers_ready(url)))
        return url

    def worker(self) -> None:
        engine = sa.create_engine(self.database_url)
        before = _workers(engine)
        command = [str(BIN / "renas-worker"), "--queue", "search"]
        self.stack.enter_context(started(command, self.env, lambda: _workers(engine) > before))
        engine.dispose()


def _workers(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        try:
            return connection.scalar(sa.text("SELECT count(*) FROM procrastinate_workers")) or 0
        except sa.exc.ProgrammingError:
            return 0


def wait_for(client: httpx.Client, job_id: str) -> None:
    while True:
        job = client.get(f"/search/{job_id}").json()
        if job["status"] == "succeeded":
            return
        if job["status"] in ("failed", "cancelled"):
            raise RuntimeError(f"job {job_id} {job['status']}: {job['error']}")
        time.sleep(0.005)


def jobs_per_second(models_dir: Path, server: str, workers: int, n: int) -> float:
    with postgres_database(server) as url, ExitStack() as stack:
        deployment = Deployment(models_dir, url, stack)
        api = deployment.api()
        for _ in range(workers):
            deployment.worker()
        with httpx.Client(base_url=api, timeout=60) as client:
            start = time.perf_counter()
            ids = [client.post("/search", json=EXHAUSTIVE).json()["id"] for _ in range(n)]
            for job_id in ids:
                wait_for(client, job_id)
            return n / (time.perf_counter() - start)


async def _predict_load(urls: list[str], clients: int, requests: int) -> float:
    async def one(i: int) -> None:
        async with httpx.AsyncClient(base_url=urls[i % len(urls)], timeout=60) as client:
            for _ in range(requests):
                answer = await client.post("/predict", json=PREDICT)
                if answer.status_code != 200:
                    raise RuntimeError(f"/predict answered {answer.status_code}: {answer.text}")

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(clients)))
    return clients * requests / (time.perf_counter() - start)


def predict_per_second(models_dir: Path, server: str, apis: int, clients: int, requests: int) -> float:
    with postgres_database(server) as url, ExitStack() as stack:
        deployment = Deployment(models_dir, url, stack)
        urls = [deployment.api() for _ in range(apis)]
        asyncio.run(_predict_load(urls, clients, requests // 10))  # warm-up
        return asyncio.run(_predict_load(urls, clients, requests))


def submit_to_result_ms(models_dir: Path, database_url: str, scaled: bool, n: int) -> list[float]:
    with ExitStack() as stack:
        deployment = Deployment(models_dir, database_url, stack, RENAS_SEARCH_WORKERS="0" if scaled else "1")
        api = deployment.api()
        if scaled:
            deployment.worker()
        times = []
        with httpx.Client(base_url=api, timeout=60) as client:
            for i in range(n + 2):  # the first two warm the worker up
                start = time.perf_counter()
                wait_for(client, client.post("/search", json=SHORT).json()["id"])
                if i >= 2:
                    times.append((time.perf_counter() - start) * 1000)
        return times


def cancel_to_next_start_s(models_dir: Path, server: str, n: int) -> list[float]:
    with postgres_database(server) as url, ExitStack() as stack:
        deployment = Deployment(models_dir, url, stack)
        first, second = deployment.api(), deployment.api()
        deployment.worker()
        times = []
        with httpx.Client(base_url=first, timeout=60) as a, httpx.Client(base_url=second, timeout=60) as b:
            for _ in range(n):
                long = a.post("/search", json=LONG).json()["id"]
                while a.get(f"/search/{long}").json()["status"] != "running":
                    time.sleep(0.01)
                time.sleep(1.0)  # well into the job
                start = time.perf_counter()
                b.post(f"/search/{long}/cancel")
                short = b.post("/search", json=SHORT).json()["id"]
                while b.get(f"/search/{short}").json()["status"] == "queued":
                    time.sleep(0.005)
                times.append(time.perf_counter() - start)
                wait_for(b, short)
        return times


@app.command()
def main(
    models_dir: Annotated[Path, typer.Option(help="the models the processes serve")] = Path("models"),
    postgres: Annotated[str, typer.Option(help="PostgreSQL server (its postgres database)")] = (
        "postgresql+psycopg://postgres@127.0.0.1:5432"
    ),
    jobs: Annotated[int, typer.Option(help="exhaustive jobs per worker count")] = 40,
    requests: Annotated[int, typer.Option(help="/predict requests per client")] = 200,
    short_jobs: Annotated[int, typer.Option(help="short jobs per deployment, sequential")] = 30,
    cancels: Annotated[int, typer.Option(help="cross-process cancellations")] = 10,
) -> None:
    rows = ["| case | result |", "| --- | --- |"]
    for workers in (1, 2):
        rate = jobs_per_second(models_dir, postgres, workers, jobs)
        rows.append(f"| NB-201 exhaustive jobs, {workers} worker(s), {jobs} jobs | {rate:.2f} jobs/s |")
    for apis in (1, 2):
        rate = predict_per_second(models_dir, postgres, apis, 8, requests)
        rows.append(f"| /predict 1 cell, 8 clients, {apis} API process(es) | {rate:.0f} requests/s |")
    with tempfile.TemporaryDirectory() as folder:
        embedded = submit_to_result_ms(models_dir, f"sqlite:///{folder}/renas.db", False, short_jobs)
    with postgres_database(postgres) as url:
        scaled = submit_to_result_ms(models_dir, url, True, short_jobs)
    for name, times in (("SQLite, embedded worker", embedded), ("PostgreSQL, renas-worker", scaled)):
        p50, worst = statistics.median(times), max(times)
        rows.append(f"| short job submit to result, {name} | p50 {p50:.0f} ms, max {worst:.0f} ms |")
    rows.append(
        f"| PostgreSQL adds (p50) | {statistics.median(scaled) - statistics.median(embedded):.0f} ms |"
    )
    stops = cancel_to_next_start_s(models_dir, postgres, cancels)
    rows.append(
        f"| cancel through API B of a job running in a worker, to the worker's next job running "
        f"({cancels} times) | p50 {statistics.median(stops) * 1000:.0f} ms, max {max(stops) * 1000:.0f} ms |"
    )
    typer.echo("\n".join(rows))


if __name__ == "__main__":
    app()
