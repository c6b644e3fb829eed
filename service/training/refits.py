"""A study's refits: after a tell, one ``train`` job per study is queued (tells arriving meanwhile are
coalesced into it), and the serial key keeps two refits of one study from ever running at once.

The refit reads the told trials when it runs, not when it is queued, so one queued refit covers every
tell before it starts; a tell during a running refit queues the next one.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.jobs import service as jobs
from service.jobs.models import UNFINISHED, Job, JobStatus
from service.studies.models import Study
from service.training.schemas import TrainRequest, Variant

MIN_TOLD = 8  # told values before the first refit: fewer rank nothing a uniform draw would not
TRAIN_KIND = "train"
REFIT_VARIANT: Variant = "gnn-pair"


def serial_key(study_id: str) -> str:
    return f"study:{study_id}"


def request_refit(
    db: Session, study: Study, *, told: int, bootstrap: bool = True, variant: Variant = REFIT_VARIANT
) -> Job | None:
    """Queue a refit of ``study`` unless one is already queued (or too little is told); the new job.
    ``bootstrap``: the refit's members resample the told cells (``TrainRequest.bootstrap``); ``variant``:
    the members' network and loss."""
    if told < MIN_TOLD:
        return None
    key = serial_key(study.id)
    queued = db.scalar(select(Job.id).where(Job.serial_key == key, Job.status == JobStatus.queued).limit(1))
    if queued is not None:
        return None
    request = TrainRequest(
        space=study.space,  # type: ignore[arg-type]
        study=study.id,
        seed=study.seed,
        bootstrap=bootstrap,
        variant=variant,
    )
    return jobs.create_job(db, kind=TRAIN_KIND, request=request, serial_key=key)


def pending_refit(db: Session, study_id: str) -> Job | None:
    """The study's running refit, else its queued one, else None."""
    unfinished = db.scalars(
        select(Job).where(Job.serial_key == serial_key(study_id), Job.status.in_(UNFINISHED))
    ).all()
    return min(unfinished, key=lambda j: (j.status != JobStatus.running, j.created_at), default=None)


def last_refit(db: Session, study_id: str) -> Job | None:
    """The study's most recent finished refit (to say why the latest failed, if it did)."""
    return db.scalar(
        select(Job)
        .where(Job.serial_key == serial_key(study_id), Job.finished_at.is_not(None))
        .order_by(Job.finished_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class RefitStatus:
    state: str  # "unavailable" | "idle" | "queued" | "running" | "failed"
    detail: str
    job: str | None = None


def refit_status(db: Session, study_id: str, *, told: int, unavailable: str | None) -> RefitStatus:
    """What the study's refitting is doing, in words; ``unavailable``: why no train worker runs here."""
    pending = pending_refit(db, study_id)
    if pending is not None and pending.status == JobStatus.running:
        return RefitStatus("running", "a refit on the told values is training", pending.id)
    if pending is not None:
        if unavailable is not None:
            return RefitStatus("unavailable", f"a refit is queued, but {unavailable}", pending.id)
        return RefitStatus(
            "queued", "a refit is queued; it trains on every value told before it starts", pending.id
        )
    last = last_refit(db, study_id)
    if last is not None and last.status == JobStatus.failed:
        return RefitStatus(
            "failed", f"the last refit failed: {last.error}; the next tell queues another", last.id
        )
    if told < MIN_TOLD:
        return RefitStatus("idle", f"the first refit starts once {MIN_TOLD} values are told ({told} so far)")
    return RefitStatus("idle", "the predictor has been trained on every told value")
