"""The worker runs any registered kind: it looks the kind up, validates the stored request, writes
the result and the final progress, and records failures and stops in the row."""

import logging
import multiprocessing
from pathlib import Path

import pytest
from pydantic import BaseModel, TypeAdapter
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service import migrations
from service.core import logs
from service.core.db import make_engine, make_sessionmaker
from service.jobs import service as jobs
from service.jobs import worker
from service.jobs.kind import JobContext, JobKind, JobProgress, JobStopped, WorkerConfig
from service.jobs.models import Job


class CountRequest(BaseModel):
    upto: int
    fail: bool = False


class CountProgress(JobProgress):
    counted: int = 0


class CountResult(BaseModel):
    total: int


def run_count(context: JobContext, request: CountRequest) -> CountResult:
    """Reports every step (far faster than the write interval: most reports are never written)."""
    for i in range(1, request.upto + 1):
        if context.should_stop():
            raise JobStopped
        context.report(CountProgress(fraction=i / (request.upto + 1), counted=i))
        if request.fail and i == 3:
            raise ValueError("three is too many")
    return CountResult(total=request.upto)


COUNT = JobKind(
    name="count",
    queue="search",
    request=TypeAdapter(CountRequest),
    progress=CountProgress,
    result=CountResult,
    run=run_count,
)


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[sessionmaker[Session], WorkerConfig]:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    migrations.upgrade(url)
    monkeypatch.setitem(worker.JOB_KINDS, COUNT.name, COUNT)
    config = WorkerConfig(url, models_dir=tmp_path, providers=("CPUExecutionProvider",), batch_size=8)
    return make_sessionmaker(make_engine(url)), config


WORKER = "host:1"


def submit(sessions: sessionmaker[Session], request: BaseModel, kind: str = "count") -> str:
    """A job created and claimed, as a worker's loop hands it to ``run_job``."""
    with sessions() as db:
        job_id = jobs.create_job(db, kind=kind, request=request).id
        assert jobs.claim_job(db, job_id, WORKER)
        return job_id


def row(sessions: sessionmaker[Session], job_id: str) -> Job:
    with sessions() as db:
        return jobs.get_job(db, job_id)


def test_a_kind_runs_to_its_result_and_its_final_progress(setup) -> None:
    sessions, config = setup
    job_id = submit(sessions, CountRequest(upto=500))
    worker.run_job(job_id, config, WORKER)
    job = row(sessions, job_id)
    assert (job.status, job.kind, job.attempts, job.error) == ("succeeded", "count", 1, None)
    assert job.result == {"total": 500}
    assert job.progress == {"fraction": 1.0, "counted": 500}  # the last report, not the last written


def test_a_failing_kind_fails_its_job_with_the_reason(setup) -> None:
    sessions, config = setup
    job_id = submit(sessions, CountRequest(upto=10, fail=True))
    worker.run_job(job_id, config, WORKER)
    job = row(sessions, job_id)
    assert (job.status, job.error, job.result) == ("failed", "ValueError: three is too many", None)


def test_a_cancelled_job_stays_cancelled(setup) -> None:
    sessions, config = setup
    job_id = submit(sessions, CountRequest(upto=10))
    with sessions() as db:
        jobs.cancel_job(db, job_id)
    worker.run_job(job_id, config, WORKER)  # cancelled after the claim: stops at its first check
    job = row(sessions, job_id)
    assert (job.status, job.attempts, job.result) == ("cancelled", 1, None)


def test_a_stopping_worker_gives_its_job_back(setup) -> None:
    sessions, config = setup
    job_id = submit(sessions, CountRequest(upto=10))
    stop = multiprocessing.get_context("spawn").Event()
    stop.set()
    worker.run_job(job_id, config, WORKER, stop.is_set)
    job = row(sessions, job_id)
    assert (job.status, job.attempts, job.worker, job.result) == ("queued", 0, None, None)


def test_a_stored_request_the_kind_refuses_fails_the_job(setup) -> None:
    sessions, config = setup
    job_id = submit(sessions, CountResult(total=3))  # not a CountRequest
    worker.run_job(job_id, config, WORKER)
    job = row(sessions, job_id)
    assert job.status == "failed" and job.error.startswith("ValidationError:") and "upto" in job.error


def test_an_unknown_kind_fails_the_job(setup) -> None:
    sessions, config = setup
    job_id = submit(sessions, CountRequest(upto=1), kind="paint")
    worker.run_job(job_id, config, WORKER)
    job = row(sessions, job_id)
    assert (job.status, job.error) == ("failed", "KeyError: 'paint'")


def test_a_database_that_refuses_the_result_leaves_the_job_to_its_lease(setup, monkeypatch) -> None:
    """The worker does not fail a job for the database's fault: the job stays running under its lease,
    and once the lease runs out it goes back to the queue to run again."""
    sessions, config = setup
    job_id = submit(sessions, CountRequest(upto=5))

    def refuse(*args: object, **kwargs: object) -> bool:
        raise OperationalError("UPDATE jobs ...", {}, Exception("database or disk is full"))

    monkeypatch.setattr(jobs, "finish_job", refuse)
    with pytest.raises(OperationalError):
        worker.run_job(job_id, config, WORKER)
    assert row(sessions, job_id).status == "running"
    monkeypatch.undo()
    with sessions() as db:
        assert jobs.release_dead(db, max_attempts=2, lease_seconds=0, reason="lease lost") == (1, 0)
    assert row(sessions, job_id).status == "queued"


def test_a_jobs_log_lines_carry_its_id(setup) -> None:
    sessions, config = setup
    job_id = submit(sessions, CountRequest(upto=10, fail=True))  # logs the failure with its traceback
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    handler.addFilter(logs.ContextFilter())
    logging.getLogger("service.jobs.worker").addHandler(handler)
    try:
        worker.run_job(job_id, config, WORKER)
    finally:
        logging.getLogger("service.jobs.worker").removeHandler(handler)
    assert seen and all(record.job_id == job_id for record in seen)
    assert logs.job_id.get() is None  # and only while the job runs
