"""The server's worker processes, per queue (``search``; ``train`` where torch is installed), run
queued jobs off the event loop.

How a job reaches a worker depends on the database. On SQLite (embedded) the job table is the queue
and a submit wakes an idle worker. On PostgreSQL (scaled) the queue is procrastinate
(``service.jobs.queue``): a submit defers a procrastinate job, and the processes started here are the
same procrastinate workers as ``renas-worker`` (none, where API replicas only accept).

CPU-bound jobs (searches) would stall every request if run on the event loop or a thread (the GIL), so
they run in spawned processes (never forked: the server holds ONNX Runtime sessions and threads that
do not survive a fork). The job table is the queue: a job is accepted once its row exists, and a
submit only wakes an idle worker. A supervisor thread watches the processes: a worker that died
(killed, out of memory) costs only its own job one attempt (back to the queue, or failed after
``max_attempts`` with the reason) and is replaced; leases that stopped being renewed (a worker of an
earlier run of the service) are released the same way; finished jobs past their retention are
deleted.
"""

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Mapping
from datetime import timedelta
from multiprocessing.process import BaseProcess

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.core.metrics import CELLS_SCORED, JOB_QUEUE_WAIT, JOB_RUN
from service.core.orm import utcnow
from service.jobs import service as jobs
from service.jobs.delivery import delivery_for
from service.jobs.kind import WorkerConfig
from service.jobs.models import Job
from service.jobs.worker import worker_id

log = logging.getLogger(__name__)

SUPERVISE_S = 0.5
PURGE_EVERY_S = 600.0  # how often finished jobs past their retention are deleted
STOP_WAIT_S = 10.0  # how long shut-down waits for a worker to give its job back before killing it


class JobPool:
    def __init__(
        self,
        config: WorkerConfig,
        *,
        workers: Mapping[str, int],
        sessions: sessionmaker[Session],
        retention: timedelta,
    ) -> None:
        """``workers``: processes per queue, e.g. {"search": 1, "train": 1}; a queue without any keeps
        its jobs queued for a worker elsewhere (or a later start with one)."""
        self.config = config
        self.sessions = sessions
        self.retention = retention

        self.workers = {queue: count for queue, count in workers.items() if count > 0}
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()
        self.delivery = delivery_for(config, self.workers, self._context)
        self._closing = threading.Event()
        self._observed_until = utcnow()  # jobs that finished before this pool started are not observed
        try:
            self._release_stale()  # jobs left running by an earlier run, once their lease ran out
        except SQLAlchemyError:
            log.exception("could not release stale leases at start-up; the supervisor tries again")
        self._processes = [
            (queue, self._start(queue)) for queue, count in self.workers.items() for _ in range(count)
        ]
        self._supervisor = threading.Thread(target=self._supervise, name="job-supervisor", daemon=True)
        self._supervisor.start()

    def _start(self, queue_name: str) -> BaseProcess:
        target, args = self.delivery.worker(queue_name, self._stop, os.getpid())
        process = self._context.Process(
            target=target, args=args, name=f"renas-{queue_name}-worker", daemon=True
        )
        process.start()
        return process

    def submit(self, job: Job) -> None:
        """``job`` is queued (its row committed): hand it to a worker of its kind's queue."""
        self.delivery.submit(job)

    def cancelled(self, job_id: str) -> None:
        """``job_id``'s row is cancelled: tell the queue too (a running job also sees its row)."""
        self.delivery.cancelled(job_id)

    def _supervise(self) -> None:
        purged_at, swept_at = 0.0, time.monotonic()  # purge at once; __init__ has just swept
        while not self._closing.wait(SUPERVISE_S):
            try:
                for i, (queue, process) in enumerate(self._processes):
                    if not process.is_alive() and not self._closing.is_set():
                        self._bury(process)
                        self._processes[i] = (queue, self._start(queue))
                if time.monotonic() - swept_at > self.config.lease_seconds / 5:
                    swept_at = time.monotonic()
                    self._release_stale()
                self._observe_finished()
                if time.monotonic() - purged_at > PURGE_EVERY_S:
                    purged_at = time.monotonic()
                    self._purge()
            except SQLAlchemyError:  # the database refuses writes: try again next round, lose nothing
                log.exception("job supervisor could not reach the database")

    def _observe_finished(self) -> None:
        """Metrics of the jobs that finished since the last look (their workers expose none)."""
        with self.sessions() as db:
            finished = jobs.finished_since(db, self._observed_until)
        for job in finished:
            if job.started_at is not None:
                JOB_QUEUE_WAIT.labels(job.kind).observe((job.started_at - job.created_at).total_seconds())
                JOB_RUN.labels(job.kind, job.status).observe(
                    (job.finished_at - job.started_at).total_seconds()
                )
            evaluated = (job.progress or {}).get("evaluated")
            if job.model_id is not None and evaluated:
                CELLS_SCORED.labels(job.request.get("space", "-"), job.model_id).inc(evaluated)
            self._observed_until = max(self._observed_until, job.finished_at)

    def _purge(self) -> None:
        with self.sessions() as db:
            purged = jobs.purge_finished(db, older_than=self.retention)
        if purged:
            log.info("purged %d finished jobs older than %s", purged, self.retention)

    def _bury(self, process: BaseProcess) -> None:
        reason = f"worker died (exit code {process.exitcode})"
        self._release(reason, worker=worker_id(process.pid), level=logging.ERROR)

    def _release_stale(self) -> None:
        self._release(jobs.LAPSED_LEASE, level=logging.WARNING)

    def _release(self, reason: str, *, level: int, worker: str | None = None) -> None:
        """Jobs of a dead ``worker`` (or with a lapsed lease) back to the queue, or failed after their
        attempts; an idle worker is woken for them."""
        with self.sessions() as db:
            requeued, failed = jobs.release_dead(
                db,
                max_attempts=self.config.max_attempts,
                reason=reason,
                worker=worker,
                lease_seconds=self.config.lease_seconds,
            )
        if requeued or failed:
            log.log(
                level,
                "%s: %d job(s) back in the queue, %d failed after their attempts",
                reason,
                requeued,
                failed,
            )
            self.delivery.wake_all()

    def shutdown(self) -> None:
        """Stop the workers: each gives its running job back to the queue (not counted as an attempt)
        and exits; one that does not within STOP_WAIT_S is killed and its job given back the same way."""
        self._closing.set()
        self._supervisor.join()
        self._stop.set()
        for _ in self._processes:
            self.delivery.wake_all()
        for _, process in self._processes:
            process.join(STOP_WAIT_S)
            if process.is_alive():
                process.kill()
                process.join()
            with self.sessions() as db:
                for job_id in jobs.held_by(db, worker_id(process.pid)):
                    jobs.requeue(db, job_id, worker_id(process.pid), count_attempt=False)
        self._processes.clear()
        self.delivery.close()
        del self._stop
