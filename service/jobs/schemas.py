"""Request and response bodies of the search-job routes."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.jobs.models import JobStatus, SearchJob
from service.search import Strategy

SpaceName = Literal["nb101", "nb201"]
INT64_MAX = 2**63 - 1  # costs are int64 arrays


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    space: SpaceName
    strategy: Strategy
    model: str | None = Field(
        None, description="model id; default: the space's (and dataset's) default model"
    )
    dataset: str | None = Field(None, description="pick the default model trained for this dataset")
    # strict: a boolean is not a number and a float not a count (``max_flops: false`` is refused,
    # not read as 0).
    top_k: int = Field(10, ge=1, le=1000, strict=True, description="how many of the best cells to return")
    seed: int = Field(0, ge=0, le=2**32 - 1, strict=True)
    params: dict[str, Any] = Field(
        default_factory=dict, description="strategy parameters, e.g. population or budget"
    )
    max_params: int | None = Field(
        None, ge=0, le=INT64_MAX, strict=True, description="only cells with at most this many parameters"
    )
    max_flops: int | None = Field(
        None, ge=0, le=INT64_MAX, strict=True, description="only cells with at most this many multiply-adds"
    )


SEARCH_EXAMPLES = {
    "nb201-exhaustive": {
        "summary": "score all 15,625 NAS-Bench-201 cells, keep the best 5",
        "value": {"space": "nb201", "strategy": "exhaustive", "top_k": 5},
    },
    "nb101-evolution": {
        "summary": "evolutionary search over NAS-Bench-101 under a parameter budget",
        "value": {"space": "nb101", "strategy": "evolution", "top_k": 10, "seed": 0, "max_params": 3000000},
    },
    "nb101-random": {
        "summary": "random search over NAS-Bench-101",
        "value": {"space": "nb101", "strategy": "random", "top_k": 3, "seed": 1},
    },
}


class JobCreated(BaseModel):
    id: str
    status: JobStatus


class Candidate(BaseModel):
    cell: dict[str, Any] = Field(description="the cell in the JSON form /predict accepts")
    score: float
    hash: str = Field(description="canonical identity: equal for isomorphic cells")
    params: int
    flops: int


class SearchResultOut(BaseModel):
    top: list[Candidate] = Field(description="best first")
    evaluated: int = Field(description="cells scored")
    generations: int = Field(description="completed generations (evolution) or scored batches")
    wall_seconds: float = Field(description="time the search itself took in its worker")


class JobProgress(BaseModel):
    fraction: float | None = Field(description="0..1 done; null where the search's total is not known")
    evaluated: int = Field(description="cells scored so far")
    generation: int | None = Field(description="last completed generation (evolution) or batch")
    best_score: float | None


class JobOut(BaseModel):
    id: str
    status: JobStatus
    space: SpaceName
    strategy: Strategy
    model: str = Field(description="id of the model that scored the cells")
    progress: JobProgress
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    request: SearchRequest
    result: SearchResultOut | None


class JobPage(BaseModel):
    items: list[JobOut] = Field(description="newest first")
    total: int
    offset: int
    limit: int


def job_out(job: SearchJob) -> JobOut:
    return JobOut(
        id=job.id,
        status=JobStatus(job.status),
        space=job.space,  # type: ignore[arg-type]  (checked by SearchRequest on the way in)
        strategy=job.strategy,  # type: ignore[arg-type]
        model=job.model_id,
        progress=JobProgress(
            fraction=job.fraction,
            evaluated=job.evaluated,
            generation=job.generation,
            best_score=job.best_score,
        ),
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=job.error,
        request=SearchRequest.model_validate(job.request),
        result=None if job.result is None else SearchResultOut.model_validate(job.result),
    )
