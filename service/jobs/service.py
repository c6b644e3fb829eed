"""Plain functions over the job table, for every kind of job: used by the routes, the job pool and
the worker processes.

Every state change is a conditional UPDATE (``WHERE status = ...``), so the API, a worker and a
restarted service never overwrite each other: a job cancelled while its worker runs stays
cancelled, and a job marked failed after a crash stays failed if its orphaned worker finishes later.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.core.orm import utcnow
from service.jobs.models import UNFINISHED, Job, JobStatus

INTERRUPTED = "interrupted: the service stopped before the job finished; submit it again"


class JobStateError(ValueError):
    """The job is not in a state that allows the change asked for."""


def create_job(db: Session, *, kind: str, request: BaseModel, model_id: str | None = None) -> Job:
    job = Job(
        id=uuid.uuid4().hex,
        kind=kind,
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
    changed = _transition(db, job_id, UNFINISHED, status=JobStatus.cancelled, finished_at=utcnow())
    db.refresh(job)
    if not changed and job.status != JobStatus.cancelled:
        raise JobStateError(f"job {job_id} has already {job.status}")
    return job


def claim_job(db: Session, job_id: str) -> bool:
    """Move a queued job to running, counting the attempt; False when it was cancelled (or taken)."""
    return _transition(
        db,
        job_id,
        [JobStatus.queued],
        status=JobStatus.running,
        started_at=utcnow(),
        attempts=Job.attempts + 1,
    )


def report_progress(db: Session, job_id: str, progress: dict[str, Any]) -> None:
    """Write a running job's progress (the kind's progress model as JSON); the one writer for all kinds."""
    _transition(db, job_id, [JobStatus.running], progress=progress)


def job_status(db: Session, job_id: str) -> str | None:
    return db.scalar(select(Job.status).where(Job.id == job_id))


def finish_job(db: Session, job_id: str, result: dict[str, Any], *, progress: dict[str, Any]) -> bool:
    """Succeed a running job with its result and its final progress (the last report, written or not:
    progress writes are rate-limited, so a finished 100-generation evolution still shows 100)."""
    return _transition(
        db,
        job_id,
        [JobStatus.running],
        status=JobStatus.succeeded,
        progress=progress,
        result=result,
        finished_at=utcnow(),
    )


def fail_job(db: Session, job_id: str, error: str) -> bool:
    return _transition(db, job_id, UNFINISHED, status=JobStatus.failed, error=error, finished_at=utcnow())


def fail_unfinished(db: Session, error: str = INTERRUPTED) -> int:
    """Mark every queued or running job failed: called at start-up and shut-down, when no worker
    of this service can still be running them. Returns how many were marked."""
    result = db.execute(
        update(Job)
        .where(Job.status.in_(UNFINISHED))
        .values(status=JobStatus.failed, error=error, finished_at=utcnow())
    )
    db.commit()
    return result.rowcount


def _transition(db: Session, job_id: str, from_statuses: Iterable[JobStatus], **values: Any) -> bool:
    result = db.execute(
        update(Job).where(Job.id == job_id, Job.status.in_(list(from_statuses))).values(**values)
    )
    db.commit()
    return result.rowcount == 1
