"""``run_search``: the one entry point the service's search jobs and the trainer's commands call."""

from collections.abc import Mapping
from typing import Any, Literal, get_args

from service.search.constraints import Budget
from service.search.evolution import evolution_search
from service.search.exhaustive import exhaustive_search
from service.search.params import (
    EvolutionParams,
    ExhaustiveParams,
    RandomParams,
    SearchLimits,
    SearchParams,
    parse_params,
    validated,
)
from service.search.random_search import random_search
from service.search.types import ProgressCallback, Scorer, SearchResult, StopCheck
from service.spaces.base import Space

Strategy = Literal["evolution", "exhaustive", "random"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)


def run_search(
    strategy: Strategy,
    space: Space,
    scorer: Scorer,
    *,
    top_k: int = 10,
    seed: int | None = None,
    params: Mapping[str, Any] | SearchParams | None = None,
    max_params: int | None = None,
    max_flops: int | None = None,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> SearchResult:
    """Search ``space`` for the ``top_k`` best-scoring distinct cells within the cost limits.

    ``params`` are the strategy's own settings (see ``service.search.params``; defaults for missing
    keys). ``seed`` makes evolution and random search reproducible (exhaustive ignores it).
    ``on_progress`` is called after each scored generation / batch, ``should_stop`` is polled before
    each; a stopped search returns what it found with ``cancelled=True``. Raises ValueError on bad
    arguments, before any scoring.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown search strategy {strategy!r}; known: {', '.join(STRATEGIES)}")
    limits = validated(
        SearchLimits,
        {"top_k": top_k, "seed": seed, "max_params": max_params, "max_flops": max_flops},
        "search arguments",
    )
    parsed = parse_params(strategy, params)
    budget = Budget(max_params=limits.max_params, max_flops=limits.max_flops)
    callbacks = {"on_progress": on_progress, "should_stop": should_stop}
    if isinstance(parsed, EvolutionParams):
        return evolution_search(
            space, scorer, params=parsed, top_k=top_k, seed=seed, budget=budget, **callbacks
        )
    if isinstance(parsed, ExhaustiveParams):
        return exhaustive_search(space, scorer, params=parsed, top_k=top_k, budget=budget, **callbacks)
    if isinstance(parsed, RandomParams):
        return random_search(space, scorer, params=parsed, top_k=top_k, seed=seed, budget=budget, **callbacks)
    raise AssertionError(f"no search for params {type(parsed).__name__}")
