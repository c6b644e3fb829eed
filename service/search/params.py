"""Each strategy's tunable parameters, validated at the boundary (the service passes user JSON here).

Unknown keys and wrong types or ranges raise ``ValueError`` naming the key and the problem. The
models' JSON schemas (``PARAMS[strategy].model_json_schema()``) document them for API users.
"""

import math
from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


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


PARAMS: dict[str, type[_Params]] = {
    "evolution": EvolutionParams,
    "exhaustive": ExhaustiveParams,
    "random": RandomParams,
}


def parse_params(strategy: str, params: Mapping[str, Any] | None) -> _Params:
    """Validated parameters for ``strategy``, defaults filled in."""
    model = PARAMS[strategy]
    try:
        return model.model_validate(dict(params or {}))
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or 'params'}: {e['msg']}" for e in error.errors()
        )
        allowed = ", ".join(model.model_fields)
        raise ValueError(f"invalid {strategy} params: {problems} (allowed keys: {allowed})") from None
