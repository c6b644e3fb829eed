"""The job table: one row per job of any kind (searches, trainings)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from service.core.orm import Base, UTCDateTime, utcnow


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


UNFINISHED = (JobStatus.queued, JobStatus.running)
FINISHED = (JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled)


RUNNING = text("status = 'running'")


class Job(Base):
    __tablename__ = "jobs"
    # The database itself refuses a second running job of one serial group.
    __table_args__ = (
        Index(
            "uq_jobs_one_running_per_key",
            "serial_key",
            unique=True,
            sqlite_where=RUNNING,
            postgresql_where=RUNNING,
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # a key of service.jobs.kinds.JOB_KINDS
    status: Mapped[str] = mapped_column(String(16), index=True, default=JobStatus.queued)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)  # the kind's request model, as JSON
    # The kind's progress model as last reported; a succeeded job's is its final state.
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # times a worker claimed it
    model_id: Mapped[str | None] = mapped_column(String(200))  # the model a job scores with, if any
    owner: Mapped[str | None] = mapped_column(String(64), index=True)  # who submitted it (queue quotas)
    # Jobs sharing a key never run at once (a study's refits); null: no such constraint.
    serial_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # The lease: the worker running the job ("host:pid") and when it last said it was alive.
    worker: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerPresence(Base):
    """A worker of the scaled deployment says it is alive, and on which queue (procrastinate's own
    worker table has no queue): how an API process knows whether anyone runs ``train`` jobs."""

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)  # "host:pid", as in a job's lease
    queue: Mapped[str] = mapped_column(String(32), index=True)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
