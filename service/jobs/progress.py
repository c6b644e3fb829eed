"""How far a search is, from what it reports: a pure function of the strategy and its parameters."""

from collections.abc import Mapping
from typing import Any

from service.search.params import EvolutionParams, RandomParams, parse_params
from service.search.types import Progress


def progress_fraction(strategy: str, params: Mapping[str, Any], progress: Progress) -> float | None:
    """0..1 done, or None for exhaustive search (the spaces do not say how many cells they hold)."""
    parsed = parse_params(strategy, params)
    if isinstance(parsed, EvolutionParams):
        return min(progress.generation / parsed.generations, 1.0)
    if isinstance(parsed, RandomParams):
        return min(progress.evaluated / parsed.budget, 1.0)
    return None
