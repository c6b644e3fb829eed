"""Load-test the running service on loopback: latency and throughput of /predict and /rank, and the
time an NB-201 exhaustive search job takes from POST to its result.

Starts ``uvicorn service.main:app`` on a free local port over a temporary database and the models
in ``--models-dir`` (RENAS_* variables pass through to it), sends sequential requests from one
httpx client, and reports for each case the best of ``--repeats`` runs (by p50):

- GET /healthz, the floor any request pays here (loopback, uvicorn, FastAPI, metrics);
- /predict with 1 NB-101 cell; /rank with 1,000 NB-101 cells (sampled, seed 0); /rank with all
  15,625 NB-201 cells: p50 / p99 latency and requests per second;
- the same /rank cells scored in-process (encode + ONNX only, cells already parsed): the ratio says
  what HTTP, JSON, validation, hashing and costing add; and each Space call (parse, identity,
  cost, encode) timed alone on those cells, to show which of them it is;
- an NB-201 exhaustive search job: POST /search until GET /search/{id} says succeeded.

    .venv/bin/python scripts/bench_service.py --models-dir models

Results go to docs/benchmarks/service.md by hand, with this command.
"""

import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import httpx
import numpy as np
import typer
from processes import answers_ready, free_port, started

from service.core.config import get_settings
from service.inference import identity_table
from service.inference.onnx_scoring import score_cells
from service.inference.registry import load_registry
from service.spaces import get_space

log = logging.getLogger("bench_service")
app = typer.Typer(add_completion=False)


@dataclass(frozen=True)
class Run:
    seconds: np.ndarray  # wall time of each request (or in-process call)
    cpu_seconds: float  # CPU the server process (or this process) spent on all of them


@dataclass(frozen=True)
class Stats:
    case: str
    requests: int
    p50_ms: float
    p99_ms: float
    per_second: float
    cpu_ms: float  # CPU per request: what the work costs, whatever else the machine is running


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its threads so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The spaces as the server holds them (with the NB101 hash table, once running_server has loaded it).
SERVED = identity_table.ServedSpaces()


@contextmanager
def running_server(models_dir: Path, database: Path, *, search_workers: int) -> Iterator[tuple[str, int]]:
    """Base URL and process id of a uvicorn serving the app, ready (models loaded) when yielded.

    The NB101 hash table the server will use is built first if missing (the server would otherwise
    build it while being measured) and served in this process too (``SERVED``), for the in-process timings.
    """
    settings = get_settings()
    path = settings.nb101_hash_table
    if path is not None and not path.is_file() and settings.build_nb101_hash_table:
        identity_table.build_file(path)
    identity_table.use_if_present(SERVED, path)
    port = free_port()
    env = {
        **os.environ,
        "RENAS_MODELS_DIR": str(models_dir),
        "RENAS_DATABASE_URL": f"sqlite:///{database}",
        "RENAS_SEARCH_WORKERS": str(search_workers),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "service.main:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    base_url = f"http://127.0.0.1:{port}"
    with started(command, env, lambda: answers_ready(base_url)) as server:
        yield base_url, server.pid


def timed_requests(client: httpx.Client, server_pid: int, path: str, body: bytes | None, n: int) -> Run:
    """n sequential requests (POST with a body, else GET); any non-200 answer aborts the benchmark."""
    cpu_start = process_cpu_seconds(server_pid)
    seconds = np.empty(n)
    headers = {"content-type": "application/json"}
    for i in range(n):
        start = time.perf_counter()
        response = client.get(path) if body is None else client.post(path, content=body, headers=headers)
        seconds[i] = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:500]}")
    return Run(seconds, process_cpu_seconds(server_pid) - cpu_start)


def best_of(repeats: int, case: str, run: Callable[[], Run]) -> Stats:
    """The run with the lowest p50 of ``repeats``."""
    runs = [run() for _ in range(repeats)]
    best = min(runs, key=lambda r: float(np.median(r.seconds)))
    return Stats(
        case=case,
        requests=len(best.seconds),
        p50_ms=float(np.median(best.seconds) * 1000),
        p99_ms=float(np.percentile(best.seconds, 99) * 1000),
        per_second=float(len(best.seconds) / best.seconds.sum()),
        cpu_ms=best.cpu_seconds / len(best.seconds) * 1000,
    )


def bare_scoring(models_dir: Path, space_name: str, cells: list[dict[str, Any]], n: int) -> Run:
    """Seconds for encode + ONNX of freshly parsed cells (parsing not timed), in-process, with the
    model /rank picks."""
    space = SERVED[space_name]
    model = load_registry(models_dir, get_settings().providers).pick(space_name)
    seconds = np.empty(n)
    cpu_seconds = 0.0
    for i in range(n):
        parsed = [space.parse(c) for c in cells]
        start, cpu_start = time.perf_counter(), time.process_time()
        score_cells(model, space, parsed, batch_size=get_settings().batch_size)
        seconds[i] = time.perf_counter() - start
        cpu_seconds += time.process_time() - cpu_start
    return Run(seconds, cpu_seconds)


def space_call_ms(space_name: str, cells: list[dict[str, Any]], repeats: int) -> dict[str, float]:
    """Best-of-``repeats`` milliseconds of each Space call a /rank makes, for all ``cells`` at once,
    each repeat on freshly parsed cells (as a request has): where the time goes that is not HTTP,
    JSON or the service's own code."""
    space = SERVED[space_name]
    calls: dict[str, Callable[[list[Any]], object]] = {
        "parse": lambda _: [space.parse(c) for c in cells],
        "identity": space.identities,
        "cost": space.cost,
        "encode": space.encode,
    }
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(repeats):
        parsed = [space.parse(c) for c in cells]
        for name, call in calls.items():
            start = time.perf_counter()
            call(parsed)
            best[name] = min(best[name], (time.perf_counter() - start) * 1000)
    return best


def search_job_seconds(client: httpx.Client, body: dict[str, Any]) -> float:
    """POST /search until GET /search/{id} reports success, polled every 5 ms."""
    start = time.perf_counter()
    location = client.post("/search", json=body).headers["location"]
    while True:
        job = client.get(location).json()
        if job["status"] == "succeeded":
            return time.perf_counter() - start
        if job["status"] in ("failed", "cancelled"):
            raise RuntimeError(f"search job {job['status']}: {job['error']}")
        time.sleep(0.005)


def markdown(stats: list[Stats], ratios: dict[str, float], jobs: list[float]) -> str:
    lines = [
        "| case | requests | p50 ms | p99 ms | requests/s | server CPU ms/request "
        "| p50 over bare encode+ONNX |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in stats:
        ratio = f"{ratios[s.case]:.2f}x" if s.case in ratios else ""
        lines.append(
            f"| {s.case} | {s.requests} | {s.p50_ms:.2f} | {s.p99_ms:.2f} | {s.per_second:.1f} "
            f"| {s.cpu_ms:.2f} | {ratio} |"
        )
    if jobs:
        runs = ", ".join(f"{t:.3f}" for t in jobs)
        lines.append("")
        lines.append(f"NB-201 exhaustive search job, POST to result: best {min(jobs):.3f} s (runs: {runs} s)")
    return "\n".join(lines)


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    space: str
    cells: list[dict[str, Any]]
    requests: int

    @property
    def body(self) -> bytes | None:
        return json.dumps({"space": self.space, "cells": self.cells}).encode() if self.cells else None


@app.command()
def main(
    models_dir: Annotated[Path | None, typer.Option(help="models folder; default: RENAS_MODELS_DIR")] = None,
    repeats: Annotated[int, typer.Option(min=1, help="runs per case; the best p50 is reported")] = 3,
    predict_requests: Annotated[int, typer.Option(min=2)] = 500,
    rank_requests: Annotated[int, typer.Option(min=2)] = 50,
    rank_all_requests: Annotated[int, typer.Option(min=2)] = 10,
    nb101_cells: Annotated[int, typer.Option(min=1, help="cells per NB-101 /rank request")] = 1000,
    json_out: Annotated[Path | None, typer.Option(help="also write the numbers here as JSON")] = None,
) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    models_dir = models_dir or get_settings().models_dir
    nb101, nb201 = get_space("nb101"), get_space("nb201")
    one = [nb101.to_json(nb101.sample(np.random.default_rng(1), 1)[0])]
    nb101_batch = [nb101.to_json(c) for c in nb101.sample(np.random.default_rng(0), nb101_cells)]
    nb201_all = [nb201.to_json(c) for c in nb201.enumerate()]
    cases = [
        Case("GET /healthz (HTTP floor: no model, no database)", "/healthz", "", [], predict_requests),
        Case("/predict, 1 NB-101 cell", "/predict", "nb101", one, predict_requests),
        Case(f"/rank, {len(nb101_batch):,} NB-101 cells", "/rank", "nb101", nb101_batch, rank_requests),
        Case(f"/rank, all {len(nb201_all):,} NB-201 cells", "/rank", "nb201", nb201_all, rank_all_requests),
    ]
    bodies = {case.name: case.body for case in cases}
    job_body = {"space": "nb201", "strategy": "exhaustive", "top_k": 10}

    with (
        tempfile.TemporaryDirectory() as tmp,
        running_server(models_dir, Path(tmp) / "bench.db", search_workers=1) as (url, pid),
        httpx.Client(base_url=url, timeout=120) as client,
    ):
        served = {m["card"]["space"] for m in client.get("/models").json()["models"]}
        for case in cases:
            if case.space and case.space not in served:
                log.warning("skipping '%s': no %s model in %s", case.name, case.space, models_dir)
        cases = [case for case in cases if not case.space or case.space in served]
        log.info("service ready at %s; warming up", url)
        for case in cases:
            timed_requests(client, pid, case.path, bodies[case.name], 2)
        if "nb201" in served:
            search_job_seconds(client, job_body)  # the worker process loads its models on first use
        stats = []
        for case in cases:
            log.info("timing %s", case.name)
            run = partial(timed_requests, client, pid, case.path, bodies[case.name], case.requests)
            stats.append(best_of(repeats, case.name, run))
        log.info("timing search jobs")
        jobs = [search_job_seconds(client, job_body) for _ in range(repeats)] if "nb201" in served else []

    log.info("timing bare encode + ONNX")
    ranks = [case for case in cases if case.path == "/rank"]
    bare = {
        case.name: best_of(
            repeats, case.name, partial(bare_scoring, models_dir, case.space, case.cells, case.requests)
        )
        for case in ranks
    }
    space_calls = {case.name: space_call_ms(case.space, case.cells, repeats) for case in ranks}
    ratios = {s.case: s.p50_ms / bare[s.case].p50_ms for s in stats if s.case in bare}
    typer.echo(markdown(stats, ratios, jobs))
    for name, b in bare.items():
        calls = ", ".join(f"{call} {ms:.1f}" for call, ms in space_calls[name].items())
        typer.echo(
            f"'{name}': bare encode+ONNX p50 {b.p50_ms:.2f} ms (CPU {b.cpu_ms:.2f}); space calls ms: {calls}"
        )
    if json_out is not None:
        numbers = {
            "stats": [s.__dict__ for s in stats],
            "bare": {name: b.__dict__ for name, b in bare.items()},
            "ratios": ratios,
            "space_calls_ms": space_calls,
            "search_job_seconds": jobs,
        }
        json_out.write_text(json.dumps(numbers, indent=2))


if __name__ == "__main__":
    app()
