"""The scaled deployment's queue: procrastinate, on the service's own PostgreSQL database.

The job row stays the record: request, status, progress, result, attempts and its lease. Procrastinate
delivers it. A submit defers a procrastinate job naming the row, with ``queueing_lock`` set to the
row's id so it is never queued twice, and ``lock`` set to the row's serial key so a study's refits
never run at once. Workers fetch with SKIP LOCKED, send heartbeats and hear of aborts; each runs the
row through the same code as the embedded deployment (``service.jobs.worker.run_job``).

Each worker also sweeps (``sweep``), so that nothing accepted is lost whichever process dies:
procrastinate jobs of stalled workers are closed; rows whose lease lapsed go back to the queue, or
fail after their attempts, exactly as in the embedded pool; and queued rows that no procrastinate job
names are deferred again. Those are the rows of an API process that died between its commit and its
defer, of a worker that gave its job back at shut-down, and of a job whose worker died.

Only PostgreSQL deployments import this module; procrastinate is in the ``postgres`` extra.
"""

import logging
from contextlib import suppress
from datetime import timedelta

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from procrastinate.jobs import JobDeferrer, Status
from sqlalchemy import Text, cast, column, exists, make_url, select, table
from sqlalchemy.orm import Session

from service.core.orm import utcnow
from service.jobs import service as jobs
from service.jobs.kinds import JOB_KINDS
from service.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

TASK = "renas:run_job"  # the one task: run the job row named by its ``job_id`` argument
ORPHAN_AFTER = timedelta(seconds=2)  # a queued row this old that no procrastinate job names is deferred
_queue_jobs = table("procrastinate_jobs", column("queueing_lock"), column("status"))


def conninfo(database_url: str) -> str:
    """psycopg's form of the service's SQLAlchemy URL (``postgresql+psycopg://`` -> ``postgresql://``)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(database_url: str, *, sync: bool = False) -> procrastinate.App:
    """A procrastinate app on the service's database: synchronous for the API processes (they only
    defer and abort), asynchronous for workers."""
    connector_type = procrastinate.SyncPsycopgConnector if sync else procrastinate.PsycopgConnector
    return procrastinate.App(connector=connector_type(conninfo=conninfo(database_url)))


def _deferrer(app: procrastinate.App, job_id: str, kind: str, serial_key: str | None) -> JobDeferrer:
    return app.configure_task(TASK, queue=JOB_KINDS[kind].queue, queueing_lock=job_id, lock=serial_key)


def defer(app: procrastinate.App, job: Job) -> None:
    """Queue ``job`` for a worker of its kind's queue (once: a second defer of a queued row is a no-op)."""
    with suppress(AlreadyEnqueued):
        _deferrer(app, job.id, job.kind, job.serial_key).defer(job_id=job.id)


def abort(app: procrastinate.App, job_id: str) -> None:
    """Take a cancelled job's procrastinate job out of the queue, or ask its worker to abort it. The row
    is already cancelled: a running job sees that too, within its check interval."""
    for queued in app.job_manager.list_jobs(queueing_lock=job_id):
        if queued.id is not None and queued.status in (Status.TODO.value, Status.DOING.value):
            app.job_manager.cancel_job_by_id(queued.id, abort=True)


def orphans(db: Session) -> list[tuple[str, str, str | None]]:
    """Queued rows that no waiting or running procrastinate job names: (id, kind, serial key)."""
    named = exists().where(
        _queue_jobs.c.queueing_lock == Job.id,
        cast(_queue_jobs.c.status, Text).in_([Status.TODO.value, Status.DOING.value]),
    )
    query = (
        select(Job.id, Job.kind, Job.serial_key)
        .where(Job.status == JobStatus.queued, Job.created_at < utcnow() - ORPHAN_AFTER, ~named)
        .order_by(Job.created_at)
        .limit(1000)
    )
    return [tuple(row) for row in db.execute(query).all()]  # type: ignore[misc]


async def sweep(app: procrastinate.App, db: Session, *, lease_seconds: float, max_attempts: int) -> None:
    """One round of the workers' sweep (see the module's docstring); safe to run in many at once:
    every change it makes is conditional."""
    for stalled in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=lease_seconds):
        try:
            await app.job_manager.finish_job(stalled, status=Status.FAILED, delete_job=True)
        except ConnectorException:  # another worker's sweep closed it first
            continue
        log.warning("closed procrastinate job %s of a stalled worker", stalled.id)
    requeued, failed = jobs.release_dead(
        db,
        max_attempts=max_attempts,
        reason=jobs.LAPSED_LEASE,
        lease_seconds=lease_seconds,
    )
    if requeued or failed:
        log.warning(
            "lapsed leases: %d job(s) back in the queue, %d failed after their attempts", requeued, failed
        )
    for job_id, kind, serial_key in orphans(db):
        try:
            await _deferrer(app, job_id, kind, serial_key).defer_async(job_id=job_id)
        except AlreadyEnqueued:
            continue
        log.info("job %s was queued with nothing to deliver it: deferred again", job_id)
