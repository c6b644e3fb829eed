"""What a training job is asked and answers: ``POST /train`` bodies and a study's refit, as one model.

The service never imports the trainer (torch); the variants it may ask for are named here and a test
checks they are the trainer's.
"""

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.jobs.kind import JobProgress
from service.jobs.models import Job, JobStatus
from service.search.params import Seed
from service.spaces import SpaceName

Variant = Literal[
    "gnn-pair",
    "path-pair",
    "attn-pair",
    "mlp-pair",
    "renas1",
    "renas2",
    "renas3",
    "renas4",
    "renas5",
    "renas6",
]
Goal = Literal["maximize", "minimize"]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
MAX_TRAIN_CELLS = 20_000


class LabelledCell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cell: dict[str, Any]
    value: FiniteFloat


class TrainRequest(BaseModel):
    """Train an ensemble on labelled cells: given inline, or a study's told trials."""

    model_config = ConfigDict(extra="forbid")

    space: SpaceName
    study: str | None = Field(None, description="train on this study's told values")
    cells: list[LabelledCell] | None = Field(
        None, min_length=2, max_length=MAX_TRAIN_CELLS, description="or on these labelled cells"
    )
    goal: Goal = Field(
        "maximize", description="for inline cells: is a larger value better (a study has its own)"
    )
    variant: Variant = "gnn-pair"
    members: int = Field(3, ge=1, le=10, strict=True, description="ensemble members")
    epochs: int | None = Field(
        None, ge=1, le=1000, strict=True, description="default: by the number of cells"
    )
    seed: Seed = 0
    bootstrap: bool = Field(
        True,
        strict=True,
        description="each member on a bootstrap resample (the card's out-of-bag tau needs it); "
        "false: every member on every cell, members differing by seed",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.study is None) == (self.cells is None):
            raise ValueError("give either study or cells")
        return self


class TrainProgress(JobProgress):
    stage: Literal["loading", "training", "exporting"] = "loading"
    members_done: int = 0
    members: int = 0


class TrainResult(BaseModel):
    model: str = Field(
        description="the trained model's id (GET /models, and by id in /predict, /rank, /search)"
    )
    cells: int = Field(description="labelled cells it was trained on")
    oob_kendall_tau: float | None = Field(
        description="Kendall tau of out-of-bag predictions: each cell scored by the members that never saw it"
    )
    seconds: float
    up_to_date: bool = Field(
        False, description="a study's refit found its latest model already trained on every told value"
    )


class TrainJobOut(BaseModel):
    id: str
    status: JobStatus
    space: SpaceName
    study: str | None
    progress: TrainProgress
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    attempts: int
    result: TrainResult | None

    @classmethod
    def of(cls, job: Job) -> "TrainJobOut":
        request = TrainRequest.model_validate(job.request)
        return cls(
            id=job.id,
            status=JobStatus(job.status),
            space=request.space,
            study=request.study,
            progress=TrainProgress.model_validate(job.progress),
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            error=job.error,
            attempts=job.attempts,
            result=None if job.result is None else TrainResult.model_validate(job.result),
        )
