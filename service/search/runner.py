"""``run_search``: the one entry point the service's job runner and the trainer's commands call."""

from collections.abc import Mapping
from typing import Any, Literal, get_args

from service.search.constraints import Budget
from service.search.evolution import evolution_search
from service.search.exhaustive import exhaustive_search
from service.search.params import EvolutionParams, ExhaustiveParams, RandomParams, parse_params
from service.search.random_search import random_search
from service.search.types import ProgressCallback, Scorer, SearchResult, StopCheck
from service.spaces.base import Space

Strategy = Literal["evolution", "exhaustive", "random"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)
MAX_TOP_K = 10_000


def run_search(
    strategy: Strategy,
    space: Space,
    scorer: Scorer,
    *,
    top_k: int = 10,
    seed: int | None = None,
    params: Mapping[str, Any] | None = None,
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
    _check_int("top_k", top_k, low=1, high=MAX_TOP_K)
    if seed is not None:
        _check_int("seed", seed, low=0, high=2**63 - 1)
    for name, limit in (("max_params", max_params), ("max_flops", max_flops)):
        if limit is not None:
            _check_int(name, limit, low=0)
    parsed = parse_params(strategy, params)
    budget = Budget(max_params=max_params, max_flops=max_flops)
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


def _check_int(name: str, value: object, *, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"in {low}..{high}"
        raise ValueError(f"{name} must be {bounds}, got {value}")
