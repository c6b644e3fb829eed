"""Studies: POST /studies, GET /studies, GET /studies/{id}, POST /studies/{id}/ask and /tell,
GET /studies/{id}/trials. Thin: the work is in service.studies."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service.api.deps import SessionDep, SettingsDep, SpacesDep
from service.api.limits import check_cell_count
from service.api.problems import documented
from service.studies import service as studies
from service.studies.models import Study, Trial
from service.studies.schemas import (
    AskRequest,
    AskResponse,
    Best,
    Counts,
    HistoryPoint,
    PredictedValue,
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

router = APIRouter(prefix="/studies", tags=["studies"])

NOT_FOUND = documented({404: "no such study (or trial)"})
# Refits (a predictor trained on the told cells) are not part of this release: ask proposes the
# initial design, uniform over the unseen cells of the pool or space.
NO_REFITS = Refit(state="unavailable", detail="this release proposes the initial design only; no refits yet")


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


def study_out(study: Study, trials: list[Trial]) -> StudyOut:
    summary = studies.summarize(study, trials)
    top = summary.best
    best = None if top is None else Best(trial=top.number, cell=top.cell, hash=top.identity, value=top.value)
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
        predictor=None,
        refit=NO_REFITS,
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
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> StudyPage:
    items, total = studies.list_studies(db, offset=offset, limit=limit)
    return StudyPage(
        items=[study_out(s, studies.trials_of(db, s)) for s in items], total=total, offset=offset, limit=limit
    )


@router.get("/{study_id}", response_model=StudyOut, responses=NOT_FOUND)
def get_study(study_id: str, db: SessionDep) -> StudyOut:
    study = studies.get_study(db, study_id)
    return study_out(study, studies.trials_of(db, study))


@router.post("/{study_id}/ask", response_model=AskResponse, responses=NOT_FOUND)
def ask(study_id: str, body: AskRequest, db: SessionDep, spaces: SpacesDep) -> AskResponse:
    study = studies.get_study(db, study_id)
    return AskResponse(trials=[trial_out(t) for t in studies.ask(db, study, spaces[study.space], body.n)])


@router.post(
    "/{study_id}/tell",
    response_model=TellResponse,
    responses=documented({404: "no such study (or trial)", 409: "a result contradicts one told before"}),
)
def tell(
    study_id: str, body: TellRequest, db: SessionDep, spaces: SpacesDep, settings: SettingsDep
) -> TellResponse:
    check_cell_count(len(body.results), settings)
    study = studies.get_study(db, study_id)
    outcome = studies.tell(db, study, spaces[study.space], body.results)
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
