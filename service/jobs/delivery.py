"""How a queued job reaches a worker process, per deployment: the pool asks its delivery.

Embedded (SQLite): the job table is the queue; a worker claims the oldest row, and a submit only
wakes an idle worker of the job's queue through a semaphore. Scaled (PostgreSQL): procrastinate
delivers (``service.jobs.scaled``), imported only there, as it is in the ``postgres`` extra.
"""

from collections.abc import Callable, Iterable
from multiprocessing.context import SpawnContext
from multiprocessing.synchronize import Event
from typing import Any, Protocol

from service.core.db import is_postgres
from service.jobs.kind import WorkerConfig
from service.jobs.kinds import JOB_KINDS
from service.jobs.models import Job
from service.jobs.worker import serve

WorkerTarget = tuple[Callable[..., None], tuple[Any, ...]]  # a worker process's target and arguments


class Delivery(Protocol):
    def submit(self, job: Job) -> None:
        """``job``'s row is committed: make sure a worker of its queue will run it."""

    def cancelled(self, job_id: str) -> None:
        """``job_id``'s row is cancelled (a running job sees that itself)."""

    def worker(self, queue_name: str, stop: Event, parent: int) -> WorkerTarget:
        """The target and arguments of a worker process on ``queue_name``."""

    def wake_all(self) -> None:
        """Jobs went back to the queue: let idle workers look."""

    def close(self) -> None: ...

    @property
    def remote_workers(self) -> bool:
        """Whether workers elsewhere (``renas-worker``) may run this deployment's jobs."""


class TableDelivery:
    """Embedded: the job table is the queue; one wake-up semaphore per queue."""

    remote_workers = False

    def __init__(self, config: WorkerConfig, queues: Iterable[str], context: SpawnContext) -> None:
        self.config = config
        self._wake = {queue: context.Semaphore(0) for queue in queues}

    def submit(self, job: Job) -> None:
        wake = self._wake.get(JOB_KINDS[job.kind].queue)
        if wake is not None:
            wake.release()

    def cancelled(self, job_id: str) -> None:
        return None  # the row is the queue: a queued job is never claimed, a running one stops

    def worker(self, queue_name: str, stop: Event, parent: int) -> WorkerTarget:
        kinds = [name for name, kind in JOB_KINDS.items() if kind.queue == queue_name]
        return serve, (self.config, kinds, stop, self._wake[queue_name], parent)

    def wake_all(self) -> None:
        for wake in self._wake.values():
            wake.release()

    def close(self) -> None:
        # Freed now, the semaphores are unlinked from the system at once (left to the end of the
        # interpreter, the resource tracker reports them as leaked).
        self._wake.clear()


def delivery_for(config: WorkerConfig, queues: Iterable[str], context: SpawnContext) -> Delivery:
    if is_postgres(config.database_url):
        from service.jobs.scaled import QueueDelivery

        return QueueDelivery(config)
    return TableDelivery(config, queues, context)
