"""Plain functions over the job table, for every kind of job: used by the routes, the job pool and
the worker processes.

Every state change is a conditional UPDATE (``WHERE status = ...``, and for a worker's writes
``AND worker = ...``), so the API, the workers and a restarted service never overwrite each other: a
job cancelled while its worker runs stays cancelled, and a job taken from a dead worker and run again
is not finished by that worker should it come back.

A running job holds a lease: its worker's id and a heartbeat. A job whose worker died (its process
gone, or its heartbeat older than the lease) goes back to the queue until it has had its attempts,
then fails with the reason. Nothing accepted is lost across a restart: queued jobs stay queued.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from service.core.orm import utcnow
from service.jobs.models import FINISHED, UNFINISHED, Job, JobStatus, WorkerPresence

NO_LEASE: dict[str, Any] = {"worker": None, "heartbeat_at": None}
LAPSED_LEASE = "its worker stopped renewing the lease"  # why a job was released without its worker


class JobStateError(ValueError):
    """The job is not in a state that allows the change asked for."""


class QueueFullError(RuntimeError):
    """Too many queued jobs (in all, or of one client); ``retry_after`` seconds is a fair wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def check_queue_room(db: Session, *, owner: str, max_total: int, max_per_owner: int) -> None:
    """QueueFullError when the queue (or ``owner``'s share of it) is full."""
    queued = select(func.count()).select_from(Job).where(Job.status == JobStatus.queued)
    if (db.scalar(queued) or 0) >= max_total:
        raise QueueFullError(f"{max_total} jobs are queued, the most the service holds", 30)
    if (db.scalar(queued.where(Job.owner == owner)) or 0) >= max_per_owner:
        raise QueueFullError(
            f"you have {max_per_owner} jobs queued, the most one client may; try again later", 30
        )


def create_job(
    db: Session,
    *,
    kind: str,
    request: BaseModel,
    model_id: str | None = None,
    owner: str | None = None,
    serial_key: str | None = None,
) -> Job:
    """A queued job; jobs of one ``serial_key`` run one at a time, oldest first."""
    job = Job(
        id=uuid.uuid4().hex,
        kind=kind,
        owner=owner,
        serial_key=serial_key,
        status=JobStatus.queued,
        request=request.model_dump(mode="json"),
        progress={},
        attempts=0,
        model_id=model_id,
        created_at=utcnow(),
    )
    db.add(job)
    db.commit()
    return job


def get_job(db: Session, job_id: str, *, kind: str | None = None) -> Job | None:
    """The job, or None when there is none (of ``kind``, where given)."""
    job = db.get(Job, job_id)
    return None if job is None or (kind is not None and job.kind != kind) else job


def list_jobs(
    db: Session, *, kind: str, offset: int, limit: int, status: JobStatus | None = None
) -> tuple[list[Job], int]:
    """One page of ``kind``'s jobs, newest first, and the number of them matching ``status``."""
    where = [Job.kind == kind] + ([] if status is None else [Job.status == status])
    page = db.scalars(
        select(Job).where(*where).order_by(Job.created_at.desc(), Job.id).offset(offset).limit(limit)
    ).all()
    return list(page), db.scalar(select(func.count()).select_from(Job).where(*where)) or 0


def cancel_job(db: Session, job_id: str, *, kind: str | None = None) -> Job | None:
    """Cancel a queued or running job (its worker stops at its next check); None if no such job."""
    job = get_job(db, job_id, kind=kind)
    if job is None:
        return None
    changed = _transition(
        db,
        job_id,
        UNFINISHED,
        status=JobStatus.cancelled,
        finished_at=utcnow(),
        **NO_LEASE,
    )
    db.refresh(job)
    if not changed and job.status != JobStatus.cancelled:
        raise JobStateError(f"job {job_id} has already {job.status}")
    return job


def claim_job(db: Session, job_id: str, worker: str) -> bool:
    """Move a queued job to running under ``worker``'s lease, counting the attempt; False when it was
    cancelled (or taken) meanwhile, or another job of its serial group is running."""
    now = utcnow()
    try:
        return _transition(
            db,
            job_id,
            [JobStatus.queued],
            status=JobStatus.running,
            started_at=now,
            attempts=Job.attempts + 1,
            worker=worker,
            heartbeat_at=now,
        )
    except IntegrityError:  # uq_jobs_one_running_per_key: its group's other job won the race
        db.rollback()
        return False


def claim_next(db: Session, kinds: Iterable[str], worker: str) -> str | None:
    """Claim the oldest queued job of ``kinds`` whose serial group has none running, for ``worker``;
    None when there is none."""
    kinds = list(kinds)
    running = aliased(Job)
    group_busy = exists().where(running.serial_key == Job.serial_key, running.status == JobStatus.running)
    for _ in range(10):  # another worker may take the one we saw: look again
        job_id = db.scalar(
            select(Job.id)
            .where(Job.status == JobStatus.queued, Job.kind.in_(kinds), ~group_busy)
            .order_by(Job.created_at, Job.id)
            .limit(1)
        )
        if job_id is None or claim_job(db, job_id, worker):
            return job_id
    return None


def heartbeat(db: Session, job_id: str, worker: str) -> bool:
    """Renew ``worker``'s lease on a running job; False when the job is no longer its to run."""
    return _held(db, job_id, worker, heartbeat_at=utcnow())


def report_progress(db: Session, job_id: str, worker: str, progress: dict[str, Any]) -> None:
    """Write a running job's progress (the kind's progress model as JSON); the one writer for all kinds."""
    _held(db, job_id, worker, progress=progress, heartbeat_at=utcnow())


def holds(db: Session, job_id: str, worker: str) -> bool:
    """Whether ``job_id`` is running under ``worker``'s lease."""
    query = select(Job.id).where(Job.id == job_id, Job.status == JobStatus.running, Job.worker == worker)
    return db.scalar(query) is not None


def held_by(db: Session, worker: str) -> list[str]:
    """The running jobs ``worker`` holds."""
    return list(db.scalars(select(Job.id).where(Job.status == JobStatus.running, Job.worker == worker)))


def finish_job(
    db: Session, job_id: str, worker: str, result: dict[str, Any], *, progress: dict[str, Any]
) -> bool:
    """Succeed a running job with its result and its final progress (the last report, written or not:
    progress writes are rate-limited, so a finished 100-generation evolution still shows 100)."""
    return _held(
        db,
        job_id,
        worker,
        status=JobStatus.succeeded,
        progress=progress,
        result=result,
        finished_at=utcnow(),
        **NO_LEASE,
    )


def fail_job(db: Session, job_id: str, error: str, *, worker: str | None = None) -> bool:
    """Fail an unfinished job (only while ``worker`` holds it, when given)."""
    values = {"status": JobStatus.failed, "error": error, "finished_at": utcnow(), **NO_LEASE}
    if worker is not None:
        return _held(db, job_id, worker, **values)
    return _transition(db, job_id, UNFINISHED, **values)


def requeue(db: Session, job_id: str, worker: str, *, count_attempt: bool) -> bool:
    """Give a running job back to the queue (its worker is stopping); an interruption that is not the
    job's fault does not count as an attempt."""
    values: dict[str, Any] = {"status": JobStatus.queued, "started_at": None, **NO_LEASE}
    if not count_attempt:
        values["attempts"] = Job.attempts - 1
    return _held(db, job_id, worker, **values)


def release_dead(
    db: Session, *, max_attempts: int, reason: str, worker: str | None = None, lease_seconds: float = 30.0
) -> tuple[int, int]:
    """Release the running jobs of a dead worker (``worker``), or of every worker whose heartbeat is
    older than ``lease_seconds`` (``worker=None``): back to the queue while they have attempts left,
    else failed with ``reason``. Returns (requeued, failed)."""
    held = [Job.status == JobStatus.running]
    if worker is not None:
        held.append(Job.worker == worker)
    else:
        stale = utcnow() - timedelta(seconds=lease_seconds)
        held.append(or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale))
    lost = db.execute(select(Job.id, Job.worker, Job.attempts).where(*held)).all()
    requeued = failed = 0
    for job_id, owner, attempts in lost:
        again = attempts < max_attempts
        values: dict[str, Any] = (
            {"status": JobStatus.queued, "started_at": None}
            if again
            else {
                "status": JobStatus.failed,
                "finished_at": utcnow(),
                "error": f"{reason} (attempt {attempts} of {max_attempts})",
            }
        )
        if not _held(db, job_id, owner, **values, **NO_LEASE):
            continue  # cancelled or finished meanwhile: nothing was released
        if again:
            requeued += 1
        else:
            failed += 1
    return requeued, failed


def finished_since(db: Session, moment: datetime) -> list[Job]:
    """Jobs that finished after ``moment``, oldest first."""
    query = select(Job).where(Job.status.in_(FINISHED), Job.finished_at > moment).order_by(Job.finished_at)
    return list(db.scalars(query))


def purge_finished(db: Session, *, older_than: timedelta) -> int:
    """Delete the jobs that finished more than ``older_than`` ago; returns how many."""
    cutoff = utcnow() - older_than
    result = db.execute(delete(Job).where(Job.status.in_(FINISHED), Job.finished_at < cutoff))
    db.commit()
    return result.rowcount


def _held(db: Session, job_id: str, holder: str | None, /, **values: Any) -> bool:
    """A change to a running job that only its lease holder may make."""
    owner = Job.worker.is_(None) if holder is None else Job.worker == holder
    result = db.execute(
        update(Job).where(Job.id == job_id, Job.status == JobStatus.running, owner).values(**values)
    )
    db.commit()
    return result.rowcount == 1


def _transition(db: Session, job_id: str, from_statuses: Iterable[JobStatus], **values: Any) -> bool:
    result = db.execute(
        update(Job).where(Job.id == job_id, Job.status.in_(list(from_statuses))).values(**values)
    )
    db.commit()
    return result.rowcount == 1


def present(db: Session, worker: str, queue: str) -> None:
    """``worker`` (a scaled deployment's) is alive and works on ``queue``."""
    db.merge(WorkerPresence(name=worker, queue=queue, heartbeat_at=utcnow()))
    db.commit()


def gone(db: Session, worker: str) -> None:
    """``worker`` stopped."""
    db.execute(delete(WorkerPresence).where(WorkerPresence.name == worker))
    db.commit()


def live_workers(db: Session, queue: str, *, within: float) -> int:
    """Workers on ``queue`` that said they were alive in the last ``within`` seconds."""
    fresh = WorkerPresence.heartbeat_at >= utcnow() - timedelta(seconds=within)
    query = select(func.count()).select_from(WorkerPresence).where(WorkerPresence.queue == queue, fresh)
    return db.scalar(query) or 0
