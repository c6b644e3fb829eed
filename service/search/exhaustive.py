"""Exhaustive search: score every cell of ``space.enumerate()`` and keep the top-k distinct networks.

Cells stream through in batches of ``batch_size`` (one encode + one scorer call each), so even
nb101's 423,624 cells never sit in memory as one tensor. Isomorphic duplicates (nb201 enumerates all
15,625 labelled cells) are scored like the rest (their encodings, hence scores, are equal) and
collapsed by identity in the top-k; identities are computed only for cells good enough to enter it.
"""

from itertools import islice
from time import perf_counter

from service.search.constraints import Budget
from service.search.evaluator import to_candidates
from service.search.params import ExhaustiveParams
from service.search.scoring import score_batch
from service.search.topk import TopK
from service.search.types import Progress, ProgressCallback, Scorer, SearchResult, StopCheck
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
    start = perf_counter()
    top = TopK(top_k)
    evaluated = batches = 0
    cancelled = False
    cells_left = space.enumerate()
    while batch := list(islice(cells_left, params.batch_size)):
        if should_stop is not None and should_stop():
            cancelled = True
            break
        allowed = budget.allows(space, batch)
        if not allowed.all():
            batch = [cell for cell, ok in zip(batch, allowed, strict=True) if ok]
        scores = score_batch(scorer, batch)
        evaluated += len(batch)
        top.offer(batch, scores, identity_of=space.identity)
        if on_progress is not None and top.best_score is not None:
            on_progress(Progress(batches, evaluated, top.best_score))
        batches += 1
    return SearchResult(
        top=to_candidates(space, top),
        evaluated=evaluated,
        generations=batches,
        cancelled=cancelled,
        wall_seconds=perf_counter() - start,
    )
