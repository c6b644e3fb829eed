"""Job state changes are conditional, so the API, workers and restarts never overwrite each other."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from service import migrations
from service.core.db import make_engine, make_sessionmaker
from service.jobs import service as jobs
from service.jobs.schemas import ExhaustiveRequest


@pytest.fixture
def db(tmp_path: Path) -> Session:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def new_job(db: Session) -> str:
    request = ExhaustiveRequest(space="nb201", strategy="exhaustive")
    return jobs.create_job(db, kind="search", request=request, model_id="m").id


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db: Session) -> None:
    connection = db.connection().connection.dbapi_connection
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_cancelled_job_is_never_claimed_nor_finished(db: Session) -> None:
    job_id = new_job(db)
    assert jobs.cancel_job(db, job_id).status == "cancelled"
    assert not jobs.claim_job(db, job_id)
    assert not jobs.finish_job(db, job_id, {"top": []}, progress={})
    assert jobs.get_job(db, job_id).status == "cancelled"


def test_running_job_cancelled_keeps_status_when_the_worker_finishes(db: Session) -> None:
    job_id = new_job(db)
    assert jobs.claim_job(db, job_id)
    assert not jobs.claim_job(db, job_id)  # claimed once only
    jobs.report_progress(db, job_id, {"fraction": 0.5, "evaluated": 10})
    jobs.cancel_job(db, job_id)
    assert not jobs.finish_job(db, job_id, {"top": []}, progress={"fraction": 1.0, "evaluated": 20})
    jobs.report_progress(db, job_id, {"fraction": 0.75})  # a late report from the worker is ignored
    db.expire_all()
    job = jobs.get_job(db, job_id)
    assert (job.status, job.progress, job.result, job.attempts) == (
        "cancelled",
        {"fraction": 0.5, "evaluated": 10},
        None,
        1,
    )


def test_finished_jobs_cannot_be_cancelled_and_unfinished_ones_fail_at_restart(db: Session) -> None:
    done, running, queued = new_job(db), new_job(db), new_job(db)
    jobs.claim_job(db, done)
    jobs.finish_job(db, done, {"top": []}, progress={"fraction": 1.0})
    jobs.claim_job(db, running)
    with pytest.raises(jobs.JobStateError, match="already succeeded"):
        jobs.cancel_job(db, done)
    assert jobs.fail_unfinished(db) == 2
    db.expire_all()
    assert [jobs.get_job(db, j).status for j in (done, running, queued)] == ["succeeded", "failed", "failed"]
    assert jobs.get_job(db, queued).error == jobs.INTERRUPTED


def test_jobs_of_one_kind_are_not_seen_through_another(db: Session) -> None:
    job_id = new_job(db)
    assert jobs.get_job(db, job_id, kind="train") is None
    assert jobs.cancel_job(db, job_id, kind="train") is None
    assert jobs.get_job(db, job_id).status == "queued"
    assert jobs.list_jobs(db, kind="train", offset=0, limit=10) == ([], 0)
    assert jobs.list_jobs(db, kind="search", offset=0, limit=10)[1] == 1
