"""Job state changes are conditional, so the API, workers and restarts never overwrite each other."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from service.core.orm import utcnow
from service.jobs import service as jobs
from service.jobs.models import Job
from service.jobs.schemas import ExhaustiveRequest


def new_job(db: Session) -> str:
    request = ExhaustiveRequest(space="nb201", strategy="exhaustive")
    return jobs.create_job(db, kind="search", request=request, model_id="m").id


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db: Session) -> None:
    connection = db.connection().connection.dbapi_connection
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


W = "host:1"  # a worker's lease name


def test_a_cancelled_job_is_never_claimed_nor_finished(db: Session) -> None:
    job_id = new_job(db)
    assert jobs.cancel_job(db, job_id).status == "cancelled"
    assert not jobs.claim_job(db, job_id, W)
    assert not jobs.finish_job(db, job_id, W, {"top": []}, progress={})
    assert jobs.get_job(db, job_id).status == "cancelled"


def test_running_job_cancelled_keeps_status_when_the_worker_finishes(db: Session) -> None:
    job_id = new_job(db)
    assert jobs.claim_job(db, job_id, W)
    assert not jobs.claim_job(db, job_id, "host:2")  # claimed once only
    jobs.report_progress(db, job_id, W, {"fraction": 0.5, "evaluated": 10})
    jobs.cancel_job(db, job_id)
    assert not jobs.finish_job(db, job_id, W, {"top": []}, progress={"fraction": 1.0, "evaluated": 20})
    jobs.report_progress(db, job_id, W, {"fraction": 0.75})  # a late report from the worker is ignored
    db.expire_all()
    job = jobs.get_job(db, job_id)
    assert (job.status, job.progress, job.result, job.attempts, job.worker) == (
        "cancelled",
        {"fraction": 0.5, "evaluated": 10},
        None,
        1,
        None,
    )


def test_finished_jobs_cannot_be_cancelled(db: Session) -> None:
    done = new_job(db)
    assert jobs.claim_next(db, ["search"], W) == done
    assert jobs.finish_job(db, done, W, {"top": []}, progress={"fraction": 1.0})
    with pytest.raises(jobs.JobStateError, match="already succeeded"):
        jobs.cancel_job(db, done)


def test_the_oldest_queued_job_of_the_kinds_is_claimed_first(db: Session) -> None:
    first, second = new_job(db), new_job(db)
    assert jobs.claim_next(db, ["train"], W) is None
    assert jobs.claim_next(db, ["search"], W) == first
    assert jobs.claim_next(db, ["search"], "host:2") == second
    assert jobs.claim_next(db, ["search"], W) is None
    assert jobs.held_by(db, W) == [first] and jobs.holds(db, first, W) and not jobs.holds(db, first, "host:2")


def test_a_dead_workers_job_is_retried_then_failed_with_the_reason(db: Session) -> None:
    job_id = new_job(db)
    for attempt in (1, 2):
        assert jobs.claim_next(db, ["search"], f"host:{attempt}") == job_id
        released = jobs.release_dead(db, max_attempts=2, worker=f"host:{attempt}", reason="worker died")
        assert released == ((1, 0) if attempt == 1 else (0, 1))
    db.expire_all()
    job = jobs.get_job(db, job_id)
    assert (job.status, job.error, job.attempts) == ("failed", "worker died (attempt 2 of 2)", 2)
    # the first worker, back from the dead, can neither finish nor fail it
    assert not jobs.finish_job(db, job_id, "host:1", {"top": []}, progress={})


def test_only_stale_leases_are_released(db: Session) -> None:
    fresh, stale = new_job(db), new_job(db)
    jobs.claim_job(db, fresh, W)
    jobs.claim_job(db, stale, "host:2")
    db.execute(update(Job).where(Job.id == stale).values(heartbeat_at=utcnow() - timedelta(seconds=60)))
    db.commit()
    assert jobs.release_dead(db, max_attempts=2, lease_seconds=30, reason="lease lost") == (1, 0)
    db.expire_all()
    assert (jobs.get_job(db, fresh).status, jobs.get_job(db, stale).status) == ("running", "queued")
    assert jobs.heartbeat(db, fresh, W) and not jobs.heartbeat(db, stale, "host:2")


def test_a_requeued_interruption_does_not_count_as_an_attempt(db: Session) -> None:
    job_id = new_job(db)
    jobs.claim_job(db, job_id, W)
    assert jobs.requeue(db, job_id, W, count_attempt=False)
    db.expire_all()
    job = jobs.get_job(db, job_id)
    assert (job.status, job.attempts, job.worker, job.started_at) == ("queued", 0, None, None)


def test_jobs_of_one_kind_are_not_seen_through_another(db: Session) -> None:
    job_id = new_job(db)
    assert jobs.get_job(db, job_id, kind="train") is None
    assert jobs.cancel_job(db, job_id, kind="train") is None
    assert jobs.get_job(db, job_id).status == "queued"
    assert jobs.list_jobs(db, kind="train", offset=0, limit=10) == ([], 0)
    assert jobs.list_jobs(db, kind="search", offset=0, limit=10)[1] == 1


def test_jobs_of_one_serial_key_run_one_at_a_time_oldest_first(db: Session) -> None:
    request = ExhaustiveRequest(space="nb201", strategy="exhaustive")
    first, second = (
        jobs.create_job(db, kind="search", request=request, model_id="m", serial_key="study:s").id
        for _ in range(2)
    )
    other = jobs.create_job(db, kind="search", request=request, model_id="m").id
    assert jobs.claim_next(db, ["search"], W) == first
    assert jobs.claim_next(db, ["search"], "host:2") == other  # the group is busy: its next one waits
    assert jobs.claim_next(db, ["search"], "host:3") is None
    assert not jobs.claim_job(db, second, "host:3")  # the database refuses a second running job of the key
    assert jobs.get_job(db, second).status == "queued"
    assert jobs.finish_job(db, first, W, {"top": []}, progress={})
    assert jobs.claim_next(db, ["search"], "host:3") == second
