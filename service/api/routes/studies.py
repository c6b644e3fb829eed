"""Studies: POST /studies, GET /studies, GET /studies/{id}, POST /studies/{id}/ask and /tell,
GET /studies/{id}/trials. Thin: the work is in service.studies."""

import time
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.orm import Session

from service.api.deps import PoolDep, RegistryDep, SessionDep, SettingsDep, SpacesDep, TrainingDep
from service.api.limits import check_cell_count
from service.api.problems import documented
from service.inference.stored import latest_of_study
from service.studies import service as studies
from service.studies.models import Study, Trial
from service.studies.predictor import current_predictor
from service.studies.schemas import (
    AskRequest,
    AskResponse,
    Best,
    Counts,
    HistoryPoint,
    PredictedValue,
    Predictor,
    Refit,
    StudyCreate,
    StudyCreated,
    StudyOut,
    StudyPage,
    TellRequest,
    TellResponse,
    TrialOut,
    TrialPage,
)
from service.training import refits

router = APIRouter(prefix="/studies", tags=["studies"])

NOT_FOUND = documented({404: "no such study (or trial)"})
WAIT_POLL_S = 0.25


def trial_out(trial: Trial) -> TrialOut:
    predicted = None
    if trial.predicted_mean is not None:
        predicted = PredictedValue(mean=trial.predicted_mean, spread=trial.predicted_spread)
    return TrialOut(
        trial=trial.number,
        cell=trial.cell,
        hash=trial.identity,
        params=trial.params,
        flops=trial.flops,
        state=trial.state,  # type: ignore[arg-type]
        value=trial.value,
        predicted=predicted,
        reason=trial.reason,
        created_at=trial.created_at,
        told_at=trial.told_at,
    )


def predictor_out(db: Session, study: Study) -> Predictor | None:
    latest = latest_of_study(db, study.id)
    if latest is None:
        return None
    card, trained_on = latest
    return Predictor(
        model=card.id,
        cells=trained_on,
        members=card.members,
        oob_kendall_tau=card.metrics.get("oob_kendall_tau"),
        created=card.created,
    )


def study_out(db: Session, study: Study, training: str | None) -> StudyOut:
    summary = studies.summarize(db, study)
    top = summary.best
    best = None if top is None else Best(trial=top.number, cell=top.cell, hash=top.identity, value=top.value)
    refit = refits.refit_status(db, study.id, told=summary.told, unavailable=training)
    return StudyOut(
        id=study.id,
        name=study.name,
        space=study.space,
        goal=study.goal,  # type: ignore[arg-type]
        seed=study.seed,
        max_params=study.max_params,
        max_flops=study.max_flops,
        pool_size=None if study.candidate_hashes is None else len(study.candidate_hashes),
        created_at=study.created_at,
        counts=Counts(asked=summary.asked, told=summary.told, failed=summary.failed, pending=summary.pending),
        best=best,
        predictor=predictor_out(db, study),
        refit=Refit(state=refit.state, detail=refit.detail, job=refit.job),  # type: ignore[arg-type]
        history=[HistoryPoint(told=told, best=value) for told, value in summary.history],
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=StudyCreated)
def create_study(
    body: StudyCreate, db: SessionDep, spaces: SpacesDep, settings: SettingsDep, response: Response
) -> StudyCreated:
    check_cell_count(len(body.candidates or ()), settings)
    study = studies.create_study(db, body, spaces[body.space])
    response.headers["Location"] = f"/studies/{study.id}"
    return StudyCreated(id=study.id)


@router.get("", response_model=StudyPage)
def list_studies(
    db: SessionDep,
    training: TrainingDep,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> StudyPage:
    items, total = studies.list_studies(db, offset=offset, limit=limit)
    return StudyPage(
        items=[study_out(db, s, training) for s in items],
        total=total,
        offset=offset,
        limit=limit,
    )


@router.get("/{study_id}", response_model=StudyOut, responses=NOT_FOUND)
def get_study(study_id: str, db: SessionDep, training: TrainingDep) -> StudyOut:
    study = studies.get_study(db, study_id)
    return study_out(db, study, training)


@router.post("/{study_id}/ask", response_model=AskResponse, responses=NOT_FOUND)
def ask(
    study_id: str,
    body: AskRequest,
    db: SessionDep,
    spaces: SpacesDep,
    registry: RegistryDep,
    settings: SettingsDep,
    training: TrainingDep,
) -> AskResponse:
    study = studies.get_study(db, study_id)
    note = _wait_for_refit(db, study, settings.ask_wait_seconds, training) if body.wait else None
    space = spaces[study.space]
    predictor = current_predictor(db, registry, study, space, batch_size=settings.batch_size)
    trials = studies.ask(db, study, space, body.n, None if predictor is None else predictor.predict)
    return AskResponse(
        trials=[trial_out(t) for t in trials],
        predictor=None if predictor is None else predictor.card.id,
        note=note,
    )


def _wait_for_refit(db: Session, study: Study, seconds: float, training: str | None) -> str | None:
    """Wait until the study has no pending refit, at most ``seconds``; a note when it still has one."""
    deadline = time.monotonic() + seconds
    while (pending := refits.pending_refit(db, study.id)) is not None:
        if training is not None and pending.status != "running":
            return f"did not wait: {training}"
        if time.monotonic() >= deadline:
            return (
                f"the refit (job {pending.id}) did not finish within {seconds:g} s; "
                "answered from the last model"
            )
        db.expire_all()
        time.sleep(WAIT_POLL_S)
    return None


@router.post(
    "/{study_id}/tell",
    response_model=TellResponse,
    responses=documented({404: "no such study (or trial)", 409: "a result contradicts one told before"}),
)
def tell(
    study_id: str, body: TellRequest, db: SessionDep, spaces: SpacesDep, settings: SettingsDep, pool: PoolDep
) -> TellResponse:
    check_cell_count(len(body.results), settings)
    study = studies.get_study(db, study_id)
    outcome = studies.tell(db, study, spaces[study.space], body.results)
    refit = refits.request_refit(db, study, told=studies.count_told(db, study)) if outcome.changed else None
    if refit is not None:
        pool.submit(refit)
    return TellResponse(trials=outcome.trials, changed=outcome.changed)


@router.get("/{study_id}/trials", response_model=TrialPage, responses=NOT_FOUND)
def list_trials(
    study_id: str,
    db: SessionDep,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> TrialPage:
    study = studies.get_study(db, study_id)
    items = studies.trials_of(db, study, offset=offset, limit=limit)
    return TrialPage(
        items=[trial_out(t) for t in items], total=studies.count_trials(db, study), offset=offset, limit=limit
    )
