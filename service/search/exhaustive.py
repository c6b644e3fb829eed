"""Exhaustive search: every cell of ``space.enumerate()``, each network scored once, top-k kept.

Cells stream through in batches of ``batch_size`` (one encode + one scorer call each), so even
nb101's 423,624 cells never sit in memory as one tensor. Isomorphic duplicates (nb201 enumerates
all 15,625 labelled cells, 8,765 distinct networks) are dropped by identity before scoring: hashing
an nb201 cell costs far less than running the predictor on it. A space that enumerates one cell per
network (nb101, where hashing costs as much as scoring) shows no duplicate in the first batch;
from then on only cells entering the top-k are hashed. Should a duplicate still come later, it is
scored again (and counted in ``evaluated``) but never returned twice: the top-k keeps identities
distinct.
"""

from itertools import islice

from service.search.constraints import Budget
from service.search.evaluator import Evaluator
from service.search.params import ExhaustiveParams
from service.search.types import ProgressCallback, Scorer, SearchResult, StopCheck
from service.spaces.base import Space


def exhaustive_search(
    space: Space,
    scorer: Scorer,
    *,
    params: ExhaustiveParams,
    top_k: int,
    budget: Budget,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> SearchResult:
    evaluator = Evaluator(space, scorer, budget=budget, top_k=top_k)
    batches = 0
    cancelled = False
    hashing = True
    cells_left = space.enumerate()
    while batch := list(islice(cells_left, params.batch_size)):
        if should_stop is not None and should_stop():
            cancelled = True
            break
        if hashing:
            cells, identities = evaluator.admit(batch)
            evaluator.score(cells, identities)
            if batches == 0 and len(evaluator.seen) == len(batch):
                hashing = False  # no duplicate in the first batch: one cell per network
        else:
            evaluator.score_unhashed(evaluator.within_budget(batch))
        evaluator.report(batches, on_progress)
        batches += 1
    return evaluator.result(batches, cancelled=cancelled)
