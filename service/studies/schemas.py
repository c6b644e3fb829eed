"""Request and response bodies of the study routes (ask/tell in the style of Optuna and Ax)."""

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.search.params import CostLimit, Seed
from service.spaces import SpaceName

Goal = Literal["maximize", "minimize"]
MAX_ASK = 100  # trials per ask
MAX_TELL = 20_000  # results per tell (a user's existing measurements)
MAX_POOL = 100_000  # cells in a study's fixed pool
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class StudyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    space: SpaceName
    name: str = Field("", max_length=200)
    goal: Goal = "maximize"
    seed: Seed = 0
    max_params: CostLimit | None = Field(None, description="only cells with at most this many parameters")
    max_flops: CostLimit | None = Field(None, description="only cells with at most this many multiply-adds")
    candidates: list[dict[str, Any]] | None = Field(
        None, min_length=1, max_length=MAX_POOL, description="a fixed pool to choose from; default: the space"
    )


class PredictedValue(BaseModel):
    mean: float
    spread: float | None


class TrialOut(BaseModel):
    trial: int = Field(description="the trial's number within the study")
    cell: dict[str, Any]
    hash: str = Field(description="identity: equal for relabelled copies of one network")
    params: int
    flops: int
    state: Literal["pending", "complete", "failed"]
    value: float | None
    predicted: PredictedValue | None = Field(description="the predictor's view when proposed; null before")
    reason: str = Field(description='"initial design", "acquisition", or "told" (measured by the user)')
    created_at: datetime
    told_at: datetime | None


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    n: int = Field(10, ge=1, le=MAX_ASK, strict=True, description="how many trials to propose")
    wait: bool = Field(
        False, description="wait (bounded: RENAS_ASK_WAIT_SECONDS) for a queued or running refit first"
    )


class AskResponse(BaseModel):
    trials: list[TrialOut] = Field(description="fewer than n when the pool has no more unseen cells")
    predictor: str | None = Field(description="the model that chose them; null: the initial design")
    note: str | None = Field(None, description="e.g. that the refit waited for did not finish in time")


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: FiniteFloat | None = None
    failed: bool = False
    error: str | None = Field(None, max_length=2000, description="why it failed, if you like")

    @model_validator(mode="after")
    def _value_or_failed(self) -> Self:
        if (self.value is None) != self.failed:
            raise ValueError("give either a value or failed: true")
        return self


class TellTrial(_Result):
    """The result of an asked trial: a value, or that it failed."""

    trial: int = Field(ge=0, strict=True)


class TellCell(_Result):
    """A measurement of a cell, asked for or not: it goes to the trial of its network, or a new one."""

    cell: dict[str, Any]


class TellRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    results: list[TellTrial | TellCell] = Field(min_length=1, max_length=MAX_TELL)


class TellResponse(BaseModel):
    trials: list[int] = Field(description="the trial number each result went to, in order")
    changed: int = Field(description="results that changed a trial (a repeated tell changes nothing)")


class Best(BaseModel):
    trial: int
    cell: dict[str, Any]
    hash: str
    value: float


class Counts(BaseModel):
    asked: int
    told: int
    failed: int
    pending: int


class HistoryPoint(BaseModel):
    told: int = Field(description="values told so far")
    best: float = Field(description="best value among them")


class Predictor(BaseModel):
    model: str = Field(description="its model id: GET /models, and usable in /predict, /rank and /search")
    cells: int = Field(description="told values it was trained on")
    members: int
    oob_kendall_tau: float | None = Field(
        description="Kendall tau of out-of-bag predictions on the told cells (cross-validation for free)"
    )
    created: datetime


class Refit(BaseModel):
    state: Literal["unavailable", "idle", "queued", "running", "failed"]
    detail: str
    job: str | None = Field(None, description="the refit's job id, while one is pending (or failed last)")


class StudyOut(BaseModel):
    id: str
    name: str
    space: SpaceName
    goal: Goal
    seed: int
    max_params: int | None
    max_flops: int | None
    pool_size: int | None = Field(description="cells in the fixed pool; null: the whole space")
    created_at: datetime
    counts: Counts
    best: Best | None
    predictor: Predictor | None = Field(description="the model ask uses; null before the first refit")
    refit: Refit
    history: list[HistoryPoint] = Field(description="best value after each told value, in order")


class StudyCreated(BaseModel):
    id: str


class StudyPage(BaseModel):
    items: list[StudyOut] = Field(description="newest first")
    total: int
    offset: int
    limit: int


class TrialPage(BaseModel):
    items: list[TrialOut] = Field(description="by trial number")
    total: int
    offset: int
    limit: int
