"""Plain functions over the job table, used by the routes, the runner and the worker processes.

Every state change is a conditional UPDATE (``WHERE status = ...``), so the API, a worker and a
restarted service never overwrite each other: a job cancelled while its worker runs stays
cancelled, and a job marked failed after a crash stays failed if its orphaned worker finishes later.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.core.orm import utcnow
from service.jobs.models import UNFINISHED, JobStatus, SearchJob
from service.jobs.schemas import SearchRequest
from service.search.types import Progress

INTERRUPTED = "interrupted: the service stopped before the job finished; submit it again"


class JobStateError(ValueError):
    """The job is not in a state that allows the change asked for."""


def create_job(db: Session, *, request: SearchRequest, model_id: str) -> SearchJob:
    job = SearchJob(
        id=uuid.uuid4().hex,
        status=JobStatus.queued,
        space=request.space,
        strategy=request.strategy,
        model_id=model_id,
        request=request.model_dump(mode="json"),
        evaluated=0,
        created_at=utcnow(),
    )
    db.add(job)
    db.commit()
    return job


def get_job(db: Session, job_id: str) -> SearchJob | None:
    return db.get(SearchJob, job_id)


def list_jobs(
    db: Session, *, offset: int, limit: int, status: JobStatus | None = None
) -> tuple[list[SearchJob], int]:
    """One page of jobs, newest first, and the number of jobs matching ``status``."""
    query = select(SearchJob)
    count = select(func.count()).select_from(SearchJob)
    if status is not None:
        query = query.where(SearchJob.status == status)
        count = count.where(SearchJob.status == status)
    page = db.scalars(
        query.order_by(SearchJob.created_at.desc(), SearchJob.id).offset(offset).limit(limit)
    ).all()
    return list(page), db.scalar(count) or 0


def cancel_job(db: Session, job_id: str) -> SearchJob | None:
    """Cancel a queued or running job (its worker stops at its next check); None if no such job."""
    changed = _transition(db, job_id, UNFINISHED, status=JobStatus.cancelled, finished_at=utcnow())
    job = get_job(db, job_id)
    if job is not None and not changed and job.status != JobStatus.cancelled:
        raise JobStateError(f"job {job_id} has already {job.status}")
    return job


def claim_job(db: Session, job_id: str) -> bool:
    """Move a queued job to running; False when it was cancelled (or taken) meanwhile."""
    return _transition(db, job_id, [JobStatus.queued], status=JobStatus.running, started_at=utcnow())


def report_progress(
    db: Session, job_id: str, *, fraction: float | None, evaluated: int, generation: int, best_score: float
) -> None:
    _transition(
        db,
        job_id,
        [JobStatus.running],
        fraction=None if fraction is None else min(max(fraction, 0.0), 1.0),
        evaluated=evaluated,
        generation=generation,
        best_score=best_score,
    )


def job_status(db: Session, job_id: str) -> str | None:
    return db.scalar(select(SearchJob.status).where(SearchJob.id == job_id))


def finish_job(db: Session, job_id: str, result: dict[str, Any], *, last: Progress | None = None) -> bool:
    """Succeed a running job; its progress becomes the search's last report, which progress writes
    (rate-limited) may have skipped: a finished 100-generation evolution shows generation 100."""
    final = {} if last is None else {"generation": last.generation, "best_score": last.best_score}
    return _transition(
        db,
        job_id,
        [JobStatus.running],
        status=JobStatus.succeeded,
        fraction=1.0,
        evaluated=result["evaluated"],
        result=result,
        finished_at=utcnow(),
        **final,
    )


def fail_job(db: Session, job_id: str, error: str) -> bool:
    return _transition(db, job_id, UNFINISHED, status=JobStatus.failed, error=error, finished_at=utcnow())


def fail_unfinished(db: Session, error: str = INTERRUPTED) -> int:
    """Mark every queued or running job failed: called at start-up and shut-down, when no worker
    of this service can still be running them. Returns how many were marked."""
    result = db.execute(
        update(SearchJob)
        .where(SearchJob.status.in_(UNFINISHED))
        .values(status=JobStatus.failed, error=error, finished_at=utcnow())
    )
    db.commit()
    return result.rowcount


def _transition(db: Session, job_id: str, from_statuses: Iterable[JobStatus], **values: Any) -> bool:
    result = db.execute(
        update(SearchJob)
        .where(SearchJob.id == job_id, SearchJob.status.in_(list(from_statuses)))
        .values(**values)
    )
    db.commit()
    return result.rowcount == 1
