"""What runs inside a search worker process: one job from its row to its result.

The worker opens its own engine and its own ONNX Runtime sessions (nothing is shared with the
server process but the database), claims the job (queued -> running), runs the search with a
scorer over the job's model, writes progress back as the search reports it, and stops between
generations when the job's row is no longer ``running``: cancelled through the API, or failed by
the server shutting down (or by a restarted service, when this worker outlived its server).
"""

import logging
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from service.core.db import make_engine, make_sessionmaker
from service.inference import identity_table
from service.inference.registry import LoadedModel, card_path_of, load_model
from service.inference.scoring import score_cells
from service.jobs import service as jobs
from service.jobs.models import JobStatus
from service.jobs.progress import progress_fraction
from service.search import run_search
from service.search.types import Progress, SearchResult
from service.spaces import Space, get_space

log = logging.getLogger(__name__)

CHECK_INTERVAL_S = 0.2  # at most this often a worker reads its job's status or writes its progress


@dataclass(frozen=True)
class WorkerConfig:
    database_url: str
    models_dir: Path
    providers: tuple[str, ...]
    batch_size: int
    nb101_hash_table: Path | None = None


def warm_up(config: WorkerConfig) -> None:
    """Start the process (its imports), its database engine and its hash table before the first job."""
    _sessions(config.database_url)
    identity_table.attach_if_present(config.nb101_hash_table)


@cache
def _sessions(database_url: str) -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(database_url))


@cache
def _model(models_dir: Path, providers: tuple[str, ...], model_id: str) -> LoadedModel:
    """The job's model in this process's own ONNX Runtime session, opened once per model."""
    return load_model(card_path_of(models_dir, model_id), providers)


class _JobWatch:
    """The search's progress callback and stop check, rate-limited to one DB access per interval."""

    def __init__(self, sessions: sessionmaker[Session], job_id: str, request: dict[str, Any]) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.request = request
        self.last_write = 0.0
        self.last_check = 0.0
        self.stopped = False
        self.latest: Progress | None = None  # the last report, written or not: the final state's progress

    def on_progress(self, progress: Progress) -> None:
        self.latest = progress
        now = time.monotonic()
        if now - self.last_write < CHECK_INTERVAL_S:
            return
        self.last_write = now
        fraction = progress_fraction(self.request["strategy"], self.request["params"], progress)
        with self.sessions() as db:
            jobs.report_progress(
                db,
                self.job_id,
                fraction=fraction,
                evaluated=progress.evaluated,
                generation=progress.generation,
                best_score=progress.best_score,
            )

    def should_stop(self) -> bool:
        if self.stopped:
            return True
        now = time.monotonic()
        if now - self.last_check >= CHECK_INTERVAL_S:
            self.last_check = now
            with self.sessions() as db:
                self.stopped = jobs.job_status(db, self.job_id) != JobStatus.running
        return self.stopped


def result_json(space: Space, result: SearchResult) -> dict[str, Any]:
    return {
        "top": [
            {
                "cell": space.to_json(c.cell),
                "score": c.score,
                "hash": c.identity,
                "params": c.params,
                "flops": c.flops,
            }
            for c in result.top
        ],
        "evaluated": result.evaluated,
        "generations": result.generations,
        "wall_seconds": result.wall_seconds,
    }


def run_job(job_id: str, config: WorkerConfig) -> None:
    """Run one job to its end state; every error ends up in the job's row, never in the pool."""
    sessions = _sessions(config.database_url)
    with sessions() as db:
        if not jobs.claim_job(db, job_id):
            return  # cancelled while queued
        job = jobs.get_job(db, job_id)
        assert job is not None  # just claimed
        request, model_id = job.request, job.model_id
    try:
        identity_table.attach_if_present(config.nb101_hash_table)  # the server may have built it since
        space = get_space(request["space"])
        model = _model(config.models_dir, config.providers, model_id)
        watch = _JobWatch(sessions, job_id, request)
        result = run_search(
            request["strategy"],
            space,
            lambda cells: score_cells(model, space, cells, batch_size=config.batch_size),
            top_k=request["top_k"],
            seed=request["seed"],
            params=request["params"],
            max_params=request["max_params"],
            max_flops=request["max_flops"],
            on_progress=watch.on_progress,
            should_stop=watch.should_stop,
        )
        if result.cancelled:
            return  # the row already says why: cancelled, or failed at the server's shut-down
        with sessions() as db:
            jobs.finish_job(db, job_id, result_json(space, result), last=watch.latest)
    except Exception as exc:
        log.exception("search job %s failed", job_id)
        with sessions() as db:
            jobs.fail_job(db, job_id, f"{type(exc).__name__}: {exc}")
