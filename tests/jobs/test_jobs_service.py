"""Job state changes are conditional, so the API, workers and restarts never overwrite each other."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from service.core.db import init_db, make_engine, make_sessionmaker
from service.jobs import service as jobs
from service.jobs.schemas import SearchRequest


@pytest.fixture
def db(tmp_path: Path) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    init_db(engine)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def new_job(db: Session) -> str:
    request = SearchRequest(space="nb201", strategy="exhaustive")
    return jobs.create_job(db, request=request, model_id="m").id


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db: Session) -> None:
    connection = db.connection().connection.dbapi_connection
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_cancelled_job_is_never_claimed_nor_finished(db: Session) -> None:
    job_id = new_job(db)
    assert jobs.cancel_job(db, job_id).status == "cancelled"
    assert not jobs.claim_job(db, job_id)
    assert not jobs.finish_job(db, job_id, {"top": [], "evaluated": 0})
    assert jobs.get_job(db, job_id).status == "cancelled"


def test_running_job_cancelled_keeps_status_when_the_worker_finishes(db: Session) -> None:
    job_id = new_job(db)
    assert jobs.claim_job(db, job_id)
    assert not jobs.claim_job(db, job_id)  # claimed once only
    jobs.report_progress(db, job_id, fraction=0.5, evaluated=10, generation=3, best_score=1.5)
    jobs.cancel_job(db, job_id)
    assert not jobs.finish_job(db, job_id, {"top": [], "evaluated": 20})
    db.expire_all()
    job = jobs.get_job(db, job_id)
    assert (job.status, job.evaluated, job.fraction, job.result) == ("cancelled", 10, 0.5, None)


def test_finished_jobs_cannot_be_cancelled_and_unfinished_ones_fail_at_restart(db: Session) -> None:
    done, running, queued = new_job(db), new_job(db), new_job(db)
    jobs.claim_job(db, done)
    jobs.finish_job(db, done, {"top": [], "evaluated": 5})
    jobs.claim_job(db, running)
    with pytest.raises(jobs.JobStateError, match="already succeeded"):
        jobs.cancel_job(db, done)
    assert jobs.fail_unfinished(db) == 2
    db.expire_all()
    assert [jobs.get_job(db, j).status for j in (done, running, queued)] == ["succeeded", "failed", "failed"]
    assert jobs.get_job(db, queued).error == jobs.INTERRUPTED
