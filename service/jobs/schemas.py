"""Request and response bodies of the search-job routes.

A search request is a discriminated union on ``strategy``: each strategy's request carries its own
typed ``params`` (``service.search.params``), so FastAPI answers a bad value with a 422 that names
it and OpenAPI documents every parameter and bound.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from service.jobs.kind import JobProgress
from service.jobs.models import Job, JobStatus
from service.search import Progress, Strategy
from service.search.params import CostLimit, EvolutionParams, ExhaustiveParams, RandomParams, Seed, TopK
from service.spaces import SpaceName


class _SearchRequestBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    space: SpaceName
    model: str | None = Field(
        None, description="model id; default: the space's (and dataset's) default model"
    )
    dataset: str | None = Field(None, description="pick the default model trained for this dataset")
    top_k: TopK = 10
    seed: Seed = 0
    max_params: CostLimit | None = Field(None, description="only cells with at most this many parameters")
    max_flops: CostLimit | None = Field(None, description="only cells with at most this many multiply-adds")

    def fraction(self, progress: Progress) -> float | None:
        """0..1 done, from what the search reported; None where the total is not known."""
        return None

    def cells_to_score(self) -> int | None:
        """The most cells the search may score (its cost); None where the space bounds it."""
        return None


class EvolutionRequest(_SearchRequestBase):
    """ReNAS's evolutionary search."""

    strategy: Literal["evolution"]
    params: EvolutionParams = Field(default_factory=EvolutionParams)

    def fraction(self, progress: Progress) -> float | None:
        return min(progress.generation / self.params.generations, 1.0)

    def cells_to_score(self) -> int | None:
        return self.params.population * (self.params.generations + 1)


class ExhaustiveRequest(_SearchRequestBase):
    """Every distinct network of the space, scored once (the spaces do not say how many: no fraction)."""

    strategy: Literal["exhaustive"]
    params: ExhaustiveParams = Field(default_factory=ExhaustiveParams)


class RandomRequest(_SearchRequestBase):
    """Uniform random sampling of distinct networks, the baseline."""

    strategy: Literal["random"]
    params: RandomParams = Field(default_factory=RandomParams)

    def fraction(self, progress: Progress) -> float | None:
        return min(progress.evaluated / self.params.budget, 1.0)

    def cells_to_score(self) -> int | None:
        return self.params.budget


SearchRequest = Annotated[
    EvolutionRequest | ExhaustiveRequest | RandomRequest, Field(discriminator="strategy")
]
SEARCH_REQUEST: TypeAdapter[EvolutionRequest | ExhaustiveRequest | RandomRequest] = TypeAdapter(SearchRequest)

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


class SearchProgress(JobProgress):
    evaluated: int = Field(0, description="cells scored so far")
    generation: int | None = Field(None, description="last completed generation (evolution) or batch")
    best_score: float | None = None


class JobOut(BaseModel):
    id: str
    status: JobStatus
    space: SpaceName
    strategy: Strategy
    model: str = Field(description="id of the model that scored the cells")
    progress: SearchProgress
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


def job_out(job: Job) -> JobOut:
    request = SEARCH_REQUEST.validate_python(job.request)
    return JobOut(
        id=job.id,
        status=JobStatus(job.status),
        space=request.space,
        strategy=request.strategy,
        model=job.model_id,  # set for every search job by create_search
        progress=SearchProgress.model_validate(job.progress),
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=job.error,
        request=request,
        result=None if job.result is None else SearchResultOut.model_validate(job.result),
    )
