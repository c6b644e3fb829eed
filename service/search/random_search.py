"""Random search, the baseline every other strategy must beat: score ``budget`` distinct uniform samples.

Samples come in batches of ``batch_size`` (one scorer call each); duplicates of earlier identities
and cells over the cost budget are dropped before scoring and do not count against ``budget``. In
a space with fewer distinct cells than ``budget`` (or a budget few cells meet), the search ends
after ``_MAX_EMPTY_BATCHES`` consecutive batches that bring nothing new.
"""

import numpy as np

from service.search.constraints import Budget
from service.search.evaluator import Evaluator
from service.search.params import RandomParams
from service.search.types import ProgressCallback, Scorer, SearchResult, StopCheck
from service.spaces.base import Space

_MAX_EMPTY_BATCHES = 20


def random_search(
    space: Space,
    scorer: Scorer,
    *,
    params: RandomParams,
    top_k: int,
    seed: int | None,
    budget: Budget,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> SearchResult:
    rng = np.random.default_rng(seed)
    evaluator = Evaluator(space, scorer, budget=budget, top_k=top_k)
    batches = empty_in_a_row = 0
    cancelled = False
    while evaluator.evaluated < params.budget and empty_in_a_row < _MAX_EMPTY_BATCHES:
        if should_stop is not None and should_stop():
            cancelled = True
            break
        wanted = min(params.batch_size, params.budget - evaluator.evaluated)
        cells, identities = evaluator.admit(space.sample(rng, wanted))
        if not cells:
            empty_in_a_row += 1
            continue
        empty_in_a_row = 0
        evaluator.score(cells, identities)
        evaluator.report(batches, on_progress)
        batches += 1
    return evaluator.result(batches, cancelled=cancelled)
