"""The service's answers as pydantic models, with its field names (a test checks them against the
service's OpenAPI schema, so client and service cannot drift). Unknown fields are kept, so a newer
service does not break an older client."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class ModelInfo(_Answer):
    id: str
    sha256: str
    space: str
    dataset: str
    label: str
    variant: str
    encoding: str
    providers: list[str]
    members: int = 1  # absent from older services' answers
    has_spread: bool = False


class Prediction(_Answer):
    index: int
    score: float
    spread: float | None = None  # the ensemble members' std; None for a single model
    hash: str
    params: int
    flops: int


class PredictResponse(_Answer):
    model: ModelInfo
    predictions: list[Prediction]


class RankedCell(Prediction):
    rank: int
    duplicate_of: int | None = None


class RankResponse(_Answer):
    model: ModelInfo
    ranking: list[RankedCell]


class Candidate(_Answer):
    cell: dict[str, Any]
    score: float
    hash: str
    params: int
    flops: int


class SearchResultOut(_Answer):
    top: list[Candidate]
    evaluated: int
    generations: int
    wall_seconds: float


class SearchProgress(_Answer):
    fraction: float | None = None
    evaluated: int = 0
    generation: int | None = None
    best_score: float | None = None


class JobOut(_Answer):
    id: str
    status: str
    space: str
    strategy: str
    model: str
    progress: SearchProgress
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    request: dict[str, Any]
    result: SearchResultOut | None


class PredictedValue(_Answer):
    mean: float
    spread: float | None


class TrialOut(_Answer):
    trial: int
    cell: dict[str, Any]
    hash: str
    params: int
    flops: int
    state: str
    value: float | None
    predicted: PredictedValue | None
    reason: str
    created_at: datetime
    told_at: datetime | None


class TellResponse(_Answer):
    trials: list[int]
    changed: int


class Best(_Answer):
    trial: int
    cell: dict[str, Any]
    hash: str
    value: float


class Counts(_Answer):
    asked: int
    told: int
    failed: int
    pending: int


class HistoryPoint(_Answer):
    told: int
    best: float


class Refit(_Answer):
    state: str
    detail: str
    job: str | None = None


class Predictor(_Answer):
    model: str
    cells: int
    members: int
    oob_kendall_tau: float | None
    created: datetime


class StudyOut(_Answer):
    id: str
    name: str
    space: str
    goal: str
    seed: int
    max_params: int | None
    max_flops: int | None
    pool_size: int | None
    created_at: datetime
    counts: Counts
    best: Best | None
    predictor: Predictor | None
    refit: Refit
    history: list[HistoryPoint]


class Readiness(_Answer):
    ready: bool
    models: int
    database: bool
    database_writable: bool
    nb101_hash_table: str
    training: bool = False
    training_detail: str | None = None


class AskResponse(_Answer):
    trials: list[TrialOut]
    predictor: str | None
    note: str | None = None


class TrainProgress(_Answer):
    fraction: float | None = None
    stage: str = "loading"
    members_done: int = 0
    members: int = 0


class TrainResult(_Answer):
    model: str
    cells: int
    oob_kendall_tau: float | None
    seconds: float
    up_to_date: bool = False


class TrainJobOut(_Answer):
    id: str
    status: str
    space: str
    study: str | None
    progress: TrainProgress
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    attempts: int
    result: TrainResult | None
