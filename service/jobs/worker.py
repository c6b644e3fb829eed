"""What runs inside a worker process: claim the oldest queued job, run it to its end state, repeat.

Each worker opens its own engine (and, through the kind, its own ONNX Runtime sessions: nothing is
shared with the server process but the database and a wake-up semaphore). It claims a job under its
own lease (``host:pid``), looks the kind up in ``JOB_KINDS``, validates the stored request and runs
it, renewing the lease from a heartbeat thread. The kind stops when the row is no longer this
worker's (cancelled through the API, or taken back after a lost lease) or when the worker is asked
to stop, in which case the job goes back to the queue. A worker whose parent (the server) is gone
exits: it never runs a dead server's queue.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from functools import cache
from multiprocessing.synchronize import Event, Semaphore

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.core import logs
from service.core.db import make_engine, make_sessionmaker
from service.inference import identity_table
from service.jobs import service as jobs
from service.jobs.kind import JobContext, JobStopped, WorkerConfig
from service.jobs.kinds import JOB_KINDS

log = logging.getLogger(__name__)

IDLE_POLL_S = 1.0  # an idle worker looks at the queue at least this often (wake-ups may be missed)
PARENT_CHECK_S = 1.0
DATABASE_RETRY_S = 5.0  # how long a worker waits after the database refused it

# This process's spaces: NB101's gains the hash table once its file exists (the server may build it
# after this worker started).
_SPACES = identity_table.ServedSpaces()


def worker_id(pid: int | None = None) -> str:
    """The lease holder's name: host and process id."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"


@cache
def sessions_for(database_url: str) -> sessionmaker[Session]:
    """This process's sessions on ``database_url`` (one engine per process)."""
    return make_sessionmaker(make_engine(database_url))


def _exit_with_parent(parent: int) -> None:
    """Exit at once when the server that started this worker is gone (killed, crashed)."""
    while True:
        time.sleep(PARENT_CHECK_S)
        if os.getppid() != parent:
            os._exit(1)


def watch_parent(parent: int) -> None:
    """From now on this process exits when ``parent`` (the server that started it) is gone."""
    threading.Thread(target=_exit_with_parent, args=(parent,), name="parent-watch", daemon=True).start()


def serve(config: WorkerConfig, kinds: Iterable[str], stop: Event, wake: Semaphore, parent: int) -> None:
    """A worker process's life: run queued jobs of ``kinds`` until ``stop`` is set."""
    watch_parent(parent)
    logs.configure(config.log_level, config.log_format)
    kinds = tuple(kinds)
    me = worker_id()
    sessions = sessions_for(config.database_url)
    identity_table.use_if_present(_SPACES, config.nb101_hash_table)
    while not stop.is_set():
        try:
            with sessions() as db:
                job_id = jobs.claim_next(db, kinds, me)
            if job_id is None:
                wake.acquire(timeout=IDLE_POLL_S)
                continue
            run_job(job_id, config, me, stop.is_set)
        except SQLAlchemyError:
            # The database refuses writes: stop working; a job this worker held is released when its
            # lease runs out, and runs again (or fails after its attempts) once writes work again.
            log.exception("worker %s cannot use the database; pausing", me)
            stop.wait(DATABASE_RETRY_S)


def run_job(
    job_id: str, config: WorkerConfig, worker: str, stopping: Callable[[], bool] = lambda: False
) -> None:
    """Run one claimed job to its end state; every error ends up in the job's row. Once ``stopping()``
    (the worker shuts down) the job goes back to the queue, its attempt not counted."""
    token = logs.job_id.set(job_id)  # every log line of the job carries its id
    try:
        _run_claimed(job_id, config, worker, stopping)
    finally:
        logs.job_id.reset(token)


def _run_claimed(job_id: str, config: WorkerConfig, worker: str, stopping: Callable[[], bool]) -> None:
    sessions = sessions_for(config.database_url)
    with sessions() as db:
        job = jobs.get_job(db, job_id)
        assert job is not None  # claimed by this worker
        kind_name, stored, model_id = job.kind, job.request, job.model_id
    beating = threading.Event()
    heart = threading.Thread(target=_heartbeat, args=(sessions, job_id, worker, config, beating), daemon=True)
    heart.start()
    try:
        kind = JOB_KINDS[kind_name]
        identity_table.use_if_present(_SPACES, config.nb101_hash_table)
        context = JobContext(sessions, job_id, model_id, config, _SPACES, worker=worker, stopping=stopping)
        result = kind.run(context, kind.request.validate_python(stored))
        with sessions() as db:
            jobs.finish_job(
                db, job_id, worker, result.model_dump(mode="json"), progress=kind.final_progress(context)
            )
    except JobStopped:
        if stopping():  # shutting down: the job runs again after the restart
            with sessions() as db:
                jobs.requeue(db, job_id, worker, count_attempt=False)
    except SQLAlchemyError:
        raise  # the database, not the job: the worker pauses and the lease decides
    except Exception as exc:
        log.exception("%s job %s failed", kind_name, job_id)
        with sessions() as db:
            jobs.fail_job(db, job_id, f"{type(exc).__name__}: {exc}", worker=worker)
    finally:
        beating.set()
        heart.join()


def _heartbeat(
    sessions: sessionmaker[Session], job_id: str, worker: str, config: WorkerConfig, done: threading.Event
) -> None:
    """Renew the job's lease every fifth of the lease, however long the kind's steps take."""
    while not done.wait(config.lease_seconds / 5):
        with sessions() as db:
            if not jobs.heartbeat(db, job_id, worker):
                return  # no longer ours: the kind sees it at its next stop check
