"""What a kind of job is: the request it takes, the progress it reports, the result it returns and
the function that runs it; and the context that function runs in, inside a worker process.

A kind's ``run(context, request)`` reports progress through ``context.report`` (one writer for every
kind, rate-limited), polls ``context.should_stop()`` between steps and raises ``JobStopped`` when it
stopped early; the worker writes the returned result and the last report as the final progress.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy.orm import Session, sessionmaker

from service.core.config import Settings
from service.core.logs import LogFormat
from service.inference.identity_table import ServedSpaces
from service.jobs import service as jobs

CHECK_INTERVAL_S = 0.2  # at most this often a job reads its status or writes its progress


class JobProgress(BaseModel):
    """Every kind's progress has a fraction; kinds add their own fields (with defaults)."""

    fraction: float | None = Field(None, ge=0, le=1, description="0..1 done; null where the total is unknown")


class JobTimedOutError(RuntimeError):
    """The job ran past the service's wall-clock limit per job."""


class JobStopped(Exception):  # noqa: N818  (a signal, not an error)
    """Stop and write nothing: the job's row is no longer this worker's to run (cancelled, or taken
    back), or the worker is shutting down (it gives the job back to the queue)."""


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker process needs to run jobs; everything else comes from the job's row."""

    database_url: str
    models_dir: Path
    providers: tuple[str, ...]
    batch_size: int
    nb101_hash_table: Path | None = None
    lease_seconds: float = 30.0  # a worker renews its job's lease every fifth of this
    timeout_seconds: float = 3600.0  # a job running longer fails with the reason
    max_attempts: int = 2  # runs of a job whose worker died, before it is failed
    log_level: str = "info"
    log_format: LogFormat = "text"

    @classmethod
    def from_settings(cls, settings: Settings) -> "WorkerConfig":
        return cls(
            database_url=settings.database_url,
            models_dir=settings.models_dir,
            providers=tuple(settings.providers),
            batch_size=settings.batch_size,
            nb101_hash_table=settings.nb101_hash_table,
            lease_seconds=settings.job_lease_seconds,
            timeout_seconds=settings.job_timeout_seconds,
            max_attempts=settings.job_attempts,
            log_level=settings.log_level,
            log_format=settings.log_format,
        )


class JobContext:
    """One running job as its kind's ``run`` sees it: its row's id and model, the worker's config and
    the spaces this worker process holds."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        job_id: str,
        model_id: str | None,
        config: WorkerConfig,
        spaces: ServedSpaces,
        *,
        worker: str,
        stopping: Callable[[], bool] = lambda: False,
    ) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.model_id = model_id
        self.config = config
        self.spaces = spaces
        self.worker = worker
        self.stopping = stopping  # the worker is shutting down
        self.latest: JobProgress | None = None  # the last report, written or not
        self.deadline = time.monotonic() + config.timeout_seconds
        self._last_write = 0.0
        self._last_check = 0.0
        self._stopped = False

    def report(self, progress: JobProgress) -> None:
        """Keep ``progress`` as the latest and write it, at most once per CHECK_INTERVAL_S."""
        self.latest = progress
        now = time.monotonic()
        if now - self._last_write < CHECK_INTERVAL_S:
            return
        self._last_write = now
        with self.sessions() as db:
            jobs.report_progress(db, self.job_id, self.worker, progress.model_dump(mode="json"))

    def should_stop(self) -> bool:
        """True once the row is no longer this worker's running job, or the worker is stopping; the
        row is read at most once per CHECK_INTERVAL_S. JobTimedOutError past the time limit."""
        if self._stopped or self.stopping():
            return True
        now = time.monotonic()
        if now > self.deadline:
            limit = self.config.timeout_seconds
            raise JobTimedOutError(
                f"ran longer than {limit:g} s, the limit per job (RENAS_JOB_TIMEOUT_SECONDS)"
            )
        if now - self._last_check >= CHECK_INTERVAL_S:
            self._last_check = now
            with self.sessions() as db:
                self._stopped = not jobs.holds(db, self.job_id, self.worker)
        return self._stopped


@dataclass(frozen=True)
class JobKind:
    name: str
    queue: str  # the worker queue that runs it: search workers need no torch, train workers do
    request: TypeAdapter[Any]  # validates the stored request (a model or a discriminated union)
    progress: type[JobProgress]
    result: type[BaseModel]
    run: Callable[[JobContext, Any], BaseModel]

    def final_progress(self, context: JobContext) -> dict[str, Any]:
        """A succeeded job's progress: its last report, complete."""
        last = context.latest or self.progress()
        return last.model_copy(update={"fraction": 1.0}).model_dump(mode="json")
