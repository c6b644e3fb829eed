"""The k best distinct networks seen so far, kept while a search streams scored batches past it."""

import heapq
from collections.abc import Callable, Sequence

import numpy as np

from service.search.types import Cell


class TopK:
    """Best ``k`` cells by score, one per identity; on equal scores the earlier offered cell wins.

    Identities may be given, or computed lazily by ``identity_of`` only for cells good enough to
    enter: exhaustive search then hashes a few dozen cells instead of every cell of the space.
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self._heap: list[tuple[float, int, str, Cell]] = []  # (score, -arrival, identity, cell): worst first
        self._members: set[str] = set()
        self._arrivals = 0
        self.best_score: float | None = None

    def offer(
        self,
        cells: Sequence[Cell],
        scores: np.ndarray,
        *,
        identities: Sequence[str] | None = None,
        identity_of: Callable[[Cell], str] | None = None,
    ) -> None:
        if identities is None and identity_of is None:
            raise TypeError("offer needs identities or identity_of")
        for i in np.argsort(-scores, kind="stable"):
            score = float(scores[i])
            if len(self._heap) >= self.k and score <= self._heap[0][0]:
                break  # sorted: nothing further in this batch can enter
            identity = identities[i] if identities is not None else identity_of(cells[i])  # type: ignore[misc]
            if identity in self._members:
                continue
            self._arrivals += 1
            heapq.heappush(self._heap, (score, -self._arrivals, identity, cells[i]))
            self._members.add(identity)
            if self.best_score is None or score > self.best_score:
                self.best_score = score
            if len(self._heap) > self.k:
                self._members.discard(heapq.heappop(self._heap)[2])

    def ranked(self) -> list[tuple[Cell, str, float]]:
        """(cell, identity, score), best first."""
        entries = sorted(self._heap, key=lambda e: (-e[0], -e[1]))
        return [(cell, identity, score) for score, _, identity, cell in entries]
