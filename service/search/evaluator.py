"""Book-keeping shared by the searches: never score a network twice, respect the budget, keep the top-k.

Each search hands every batch of proposed cells to ``Evaluator.admit`` (dedup by canonical
identity, then cost filter) and the survivors to ``Evaluator.score`` (one scorer call).
"""

from collections.abc import Sequence
from time import perf_counter

import numpy as np

from service.search.constraints import Budget
from service.search.scorer import score_batch
from service.search.topk import TopK
from service.search.types import Candidate, Cell, Progress, ProgressCallback, Scorer, SearchResult
from service.spaces.base import Space


class Evaluator:
    def __init__(self, space: Space, scorer: Scorer, *, budget: Budget, top_k: int) -> None:
        self.space = space
        self.scorer = scorer
        self.budget = budget
        self.top = TopK(top_k)
        self.seen: set[str] = set()  # every identity ever proposed: scored or over the budget
        self._proposed: set[Cell] = set()  # every cell value ever proposed: skips hashing repeats
        self.evaluated = 0
        self.started = perf_counter()

    def admit(self, cells: Sequence[Cell]) -> tuple[list[Cell], list[str]]:
        """The cells whose identity is new (first of each) and within the budget; all marked seen."""
        new: list[Cell] = []
        for cell in cells:
            if cell not in self._proposed:  # equal cells have equal identities: repeats skip hashing
                self._proposed.add(cell)
                new.append(cell)
        fresh: list[Cell] = []
        identities: list[str] = []
        for cell, identity in zip(new, self.space.identities(new), strict=True):
            if identity not in self.seen:
                self.seen.add(identity)
                fresh.append(cell)
                identities.append(identity)
        allowed = self.budget.allows(self.space, fresh)
        return (
            [c for c, ok in zip(fresh, allowed, strict=True) if ok],
            [i for i, ok in zip(identities, allowed, strict=True) if ok],
        )

    def score(self, cells: Sequence[Cell], identities: Sequence[str]) -> np.ndarray:
        """Scores of admitted cells, from one scorer call; also offered to the top-k."""
        scores = score_batch(self.scorer, cells)
        self.evaluated += len(cells)
        self.top.offer(cells, scores, identities=identities)
        return scores

    def within_budget(self, cells: Sequence[Cell]) -> list[Cell]:
        allowed = self.budget.allows(self.space, cells)
        return list(cells) if allowed.all() else [c for c, ok in zip(cells, allowed, strict=True) if ok]

    def score_unhashed(self, cells: Sequence[Cell]) -> np.ndarray:
        """Scores of cells known to be new networks (a duplicate-free enumeration), from one scorer
        call; only cells good enough for the top-k are hashed, so ``seen`` is not updated."""
        scores = score_batch(self.scorer, cells)
        self.evaluated += len(cells)
        self.top.offer(cells, scores, identity_of=self.space.identity)
        return scores

    def candidates(self) -> list[Candidate]:
        return to_candidates(self.space, self.top)

    def report(self, generation: int, on_progress: ProgressCallback | None) -> None:
        """Tell ``on_progress`` (if any) how far the search is, once something has been scored."""
        if on_progress is not None and self.top.best_score is not None:
            on_progress(Progress(generation, self.evaluated, self.top.best_score))

    def result(self, generations: int, *, cancelled: bool) -> SearchResult:
        """The search's outcome so far, timed from this evaluator's creation."""
        return SearchResult(
            top=self.candidates(),
            evaluated=self.evaluated,
            generations=generations,
            cancelled=cancelled,
            wall_seconds=perf_counter() - self.started,
        )


def to_candidates(space: Space, top: TopK) -> list[Candidate]:
    """The top-k as Candidates, best first, costed in one ``space.cost`` call."""
    ranked = top.ranked()
    if not ranked:
        return []
    params, flops = space.cost([cell for cell, _, _ in ranked])
    return [
        Candidate(cell=cell, identity=identity, score=score, params=int(p), flops=int(f))
        for (cell, identity, score), p, f in zip(ranked, params, flops, strict=True)
    ]
