"""What runs inside a worker process: one job, of any kind, from its row to its result.

The worker opens its own engine (and, through the kind, its own ONNX Runtime sessions: nothing is
shared with the server process but the database), claims the job (queued -> running), looks its
kind up in ``JOB_KINDS``, validates the stored request and runs it. The kind writes progress through
the job's context and stops when the row is no longer ``running``: cancelled through the API, or
failed by the server shutting down (or by a restarted service, when this worker outlived its server).
"""

import logging
from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from service.core.db import make_engine, make_sessionmaker
from service.inference import identity_table
from service.jobs import service as jobs
from service.jobs.kind import JobContext, JobStopped, WorkerConfig
from service.jobs.kinds import JOB_KINDS

log = logging.getLogger(__name__)


# This process's spaces: NB101's gains the hash table once its file exists (the server may build it
# after this worker started).
_SPACES = identity_table.ServedSpaces()


def warm_up(config: WorkerConfig) -> None:
    """Start the process (its imports), its database engine and its hash table before the first job."""
    _sessions(config.database_url)
    identity_table.use_if_present(_SPACES, config.nb101_hash_table)


@cache
def _sessions(database_url: str) -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(database_url))


def run_job(job_id: str, config: WorkerConfig) -> None:
    """Run one job to its end state; every error ends up in the job's row, never in the pool."""
    sessions = _sessions(config.database_url)
    with sessions() as db:
        if not jobs.claim_job(db, job_id):
            return  # cancelled while queued
        job = jobs.get_job(db, job_id)
        assert job is not None  # just claimed
        kind_name, stored, model_id = job.kind, job.request, job.model_id
    try:
        kind = JOB_KINDS[kind_name]
        identity_table.use_if_present(_SPACES, config.nb101_hash_table)
        context = JobContext(sessions, job_id, model_id, config, _SPACES)
        result = kind.run(context, kind.request.validate_python(stored))
        with sessions() as db:
            jobs.finish_job(db, job_id, result.model_dump(mode="json"), progress=kind.final_progress(context))
    except JobStopped:
        return  # the row already says why: cancelled, or failed at the server's shut-down
    except Exception as exc:
        log.exception("%s job %s failed", kind_name, job_id)
        with sessions() as db:
            jobs.fail_job(db, job_id, f"{type(exc).__name__}: {exc}")
