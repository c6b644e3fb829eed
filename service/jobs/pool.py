"""Runs jobs off the event loop, ``workers`` at a time, each in its own process.

CPU-bound jobs (searches) would stall every request if run on the event loop or a thread (the GIL), so
they run in a ``ProcessPoolExecutor`` of spawned processes (never forked: the server holds ONNX
Runtime sessions and threads that do not survive a fork). The pool's queue is the job queue: a job
is submitted once its row exists; the worker moves the row to running, then to its end state.
"""

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sqlalchemy.orm import Session, sessionmaker

from service.jobs import service as jobs
from service.jobs.kind import WorkerConfig
from service.jobs.worker import run_job, warm_up

log = logging.getLogger(__name__)


class JobPool:
    def __init__(self, config: WorkerConfig, *, workers: int, sessions: sessionmaker[Session]) -> None:
        self.config = config
        self.workers = workers
        self.sessions = sessions
        self._lock = threading.Lock()  # submits come from the request threadpool
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        for _ in range(self.workers):
            pool.submit(warm_up, self.config)
        return pool

    def submit(self, job_id: str) -> None:
        with self._lock:
            try:
                future = self._pool.submit(run_job, job_id, self.config)
            except BrokenProcessPool:
                log.error("search worker pool broke (a worker died); starting a new one")
                self._pool = self._new_pool()
                future = self._pool.submit(run_job, job_id, self.config)
        future.add_done_callback(lambda f: self._on_done(job_id, f))

    def _on_done(self, job_id: str, future: Future[None]) -> None:
        """A worker that died (killed, out of memory) leaves its job running: fail it here."""
        if future.cancelled() or future.exception() is None:
            return
        log.error("search worker for job %s died: %r", job_id, future.exception())
        with self.sessions() as db:
            jobs.fail_job(db, job_id, f"search worker died: {future.exception()!r}")

    def shutdown(self) -> None:
        """Fail every unfinished job in the table, which stops running searches at their next status
        check and makes queued ones no-ops, then wait for the workers to exit."""
        with self.sessions() as db:
            failed = jobs.fail_unfinished(db)
        if failed:
            log.warning("marked %d unfinished search jobs failed at shut-down", failed)
        self._pool.shutdown(wait=True, cancel_futures=True)
