"""Each strategy's tunable parameters and the common search limits, with their bounds stated once.

The service's request models (``service.jobs.schemas``) are built from these types, so FastAPI
rejects bad values with a 422 and OpenAPI documents every bound; ``run_search`` validates its
arguments against the same types for library callers (the trainer, notebooks).

Unknown keys and wrong types or ranges raise ``ValueError`` naming the key and the problem.
"""

import math
from collections.abc import Mapping
from typing import Annotated, Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

MAX_TOP_K = 10_000
MAX_SEED = 2**32 - 1
INT64_MAX = 2**63 - 1  # costs are int64 arrays

# strict: a boolean is not a number and a float not a count (``max_flops: false`` is refused, not 0).
TopK = Annotated[int, Field(ge=1, le=MAX_TOP_K, strict=True, description="how many of the best cells")]
Seed = Annotated[
    int, Field(ge=0, le=MAX_SEED, strict=True, description="makes evolution and random repeatable")
]
CostLimit = Annotated[int, Field(ge=0, le=INT64_MAX, strict=True)]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class EvolutionParams(_Params):
    """ReNAS's evolutionary search: population 64, 500 generations, operator shares 0.5 / 0.3 / 0.2."""

    population: int = Field(64, ge=2, le=4096)
    generations: int = Field(500, ge=1, le=10_000)
    selection: float = Field(0.5, gt=0, lt=1, description="share of each generation kept as parents")
    crossover: float = Field(0.3, ge=0, le=1, description="share replaced by crossover children")
    mutation: float = Field(0.2, ge=0, le=1, description="share replaced by mutation children")

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Self:
        total = self.selection + self.crossover + self.mutation
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"selection + crossover + mutation must be 1, got {total:g}")
        return self


class ExhaustiveParams(_Params):
    batch_size: int = Field(4096, ge=1, le=65_536, description="cells enumerated per scorer call")


class RandomParams(_Params):
    budget: int = Field(1000, ge=1, le=1_000_000, description="distinct cells to score")
    batch_size: int = Field(64, ge=1, le=65_536, description="cells sampled and scored per call")


class SearchLimits(_Params):
    """The arguments every strategy shares; ``run_search`` checks its own against these."""

    top_k: TopK = 10
    seed: Seed | None = None
    max_params: CostLimit | None = Field(None, description="only cells with at most this many parameters")
    max_flops: CostLimit | None = Field(None, description="only cells with at most this many multiply-adds")


M = TypeVar("M", bound=BaseModel)
SearchParams = EvolutionParams | ExhaustiveParams | RandomParams

PARAMS: dict[str, type[SearchParams]] = {
    "evolution": EvolutionParams,
    "exhaustive": ExhaustiveParams,
    "random": RandomParams,
}


def parse_params(strategy: str, params: Mapping[str, Any] | SearchParams | None) -> SearchParams:
    """Validated parameters for ``strategy``, defaults filled in (a parsed model passes through)."""
    model = PARAMS[strategy]
    if isinstance(params, model):
        return params
    values = params if params is None or isinstance(params, BaseModel) else dict(params)
    return validated(model, values or {}, f"{strategy} params")


def validated(model: type[M], values: Any, what: str) -> M:
    """``model`` validated from ``values``; ValueError naming each bad key otherwise."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or 'params'}: {e['msg']}" for e in error.errors()
        )
        allowed = ", ".join(model.model_fields)
        raise ValueError(f"invalid {what}: {problems} (allowed keys: {allowed})") from None
