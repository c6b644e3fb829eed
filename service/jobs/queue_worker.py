"""A worker of the scaled deployment: a procrastinate worker on one queue (``search`` or ``train``).

It runs one job at a time (searches and trainings are CPU-bound; more workers, not more threads,
scale them). Each procrastinate job names a job row; the task claims that row under this process's
lease and runs it like an embedded worker does (``service.jobs.worker.run_job``). A row that is no
longer queued (cancelled, or already run by a worker that was presumed dead) is left alone. Beside the
worker, ``service.jobs.queue.sweep`` runs every fifth of the lease.

On a stop (SIGTERM or SIGINT; from ``renas-serve``, its stop event), the running job goes back to the
queue without counting an attempt, and the sweep of any worker defers it again.
"""

import asyncio
import logging
import signal
import threading
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.synchronize import Event

import procrastinate
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.core import logs
from service.jobs import queue
from service.jobs import service as jobs
from service.jobs.kind import WorkerConfig
from service.jobs.worker import DATABASE_RETRY_S, run_job, sessions_for, watch_parent, worker_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runner:
    """What the task needs from its worker process: the config and the shut-down flag."""

    config: WorkerConfig
    shutting_down: threading.Event

    def run(self, context: procrastinate.JobContext, job_id: str) -> None:
        me = worker_id()
        try:
            with sessions_for(self.config.database_url)() as db:
                claimed = jobs.claim_job(db, job_id, me)
            if not claimed:
                log.info("job %s is no longer queued (cancelled, or run already): skipped", job_id)
                return
            run_job(job_id, self.config, me, lambda: self.shutting_down.is_set() or context.should_abort())
        except SQLAlchemyError:
            # The database refuses writes: pause (this worker fetches nothing meanwhile). The row's lease
            # lapses, and a sweep sends the job back to the queue, or fails it after its attempts.
            log.exception("worker %s cannot use the database; pausing", me)
            self.shutting_down.wait(DATABASE_RETRY_S)


def _run_job_task(context: procrastinate.JobContext, job_id: str) -> None:
    runner: Runner = context.additional_context["runner"]
    runner.run(context, job_id)


def make_worker_app(database_url: str) -> procrastinate.App:
    app = queue.make_app(database_url)
    app.task(name=queue.TASK, pass_context=True)(_run_job_task)
    return app


def serve(
    config: WorkerConfig, queue_name: str, stop: Event | None = None, parent: int | None = None
) -> None:
    """A worker process's life: work on ``queue_name`` until stopped (``stop``, SIGTERM or SIGINT).
    With ``parent`` (started by ``renas-serve``) it exits when that process is gone."""
    if parent is not None:
        watch_parent(parent)
    logs.configure(config.log_level, config.log_format)
    asyncio.run(_work(config, queue_name, stop))


async def _work(config: WorkerConfig, queue_name: str, stop: Event | None) -> None:
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    if stop is not None:
        threading.Thread(
            target=lambda: (stop.wait(), loop.call_soon_threadsafe(stopped.set)), daemon=True
        ).start()
    shutting_down = threading.Event()
    app = make_worker_app(config.database_url)
    async with app.open_async():
        worker = asyncio.create_task(
            app.run_worker_async(
                queues=[queue_name],
                name=f"renas-{queue_name}-worker",
                concurrency=1,
                install_signal_handlers=False,
                update_heartbeat_interval=config.lease_seconds / 5,
                stalled_worker_timeout=config.lease_seconds,
                delete_jobs="always",  # the job row keeps the record
                additional_context={"runner": Runner(config, shutting_down)},
            )
        )
        sweeping = asyncio.create_task(_sweep_forever(app, config, queue_name))
        await asyncio.wait([worker, asyncio.create_task(stopped.wait())], return_when=asyncio.FIRST_COMPLETED)
        shutting_down.set()  # the running job gives its row back at its next check
        sweeping.cancel()
        worker.cancel()  # procrastinate stops fetching and waits for the running job
        await asyncio.gather(worker, sweeping, return_exceptions=True)


async def _sweep_forever(app: procrastinate.App, config: WorkerConfig, queue_name: str) -> None:
    """Say this worker is alive, and sweep, every fifth of the lease; say it is gone when stopped."""
    sessions, me = sessions_for(config.database_url), worker_id()
    try:
        while True:
            await _sweep_once(app, config, sessions, me, queue_name)
            await asyncio.sleep(config.lease_seconds / 5)
    finally:
        with sessions() as db, suppress(SQLAlchemyError):
            jobs.gone(db, me)


async def _sweep_once(
    app: procrastinate.App, config: WorkerConfig, sessions: sessionmaker[Session], me: str, queue_name: str
) -> None:
    try:
        with sessions() as db:
            jobs.present(db, me, queue_name)
            await queue.sweep(app, db, lease_seconds=config.lease_seconds, max_attempts=config.max_attempts)
    except SQLAlchemyError:
        log.exception("the sweep could not use the database; trying again")
