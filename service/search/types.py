"""The values every search strategy takes and returns, so callers handle one shape for all of them."""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np

Cell = Hashable
# Scores a batch of cells, higher = better: one float per cell, in order. Built by the caller
# (service: encode + ONNX, trainer: encode + torch; see ``make_scorer``).
Scorer = Callable[[Sequence[Cell]], np.ndarray]


@dataclass(frozen=True)
class Candidate:
    """One distinct network found by a search, with its predictor score and cost (``Space.cost``)."""

    cell: Cell
    identity: str
    score: float
    params: int
    flops: int


@dataclass(frozen=True)
class Progress:
    """Reported after every scored generation (evolution) or batch (exhaustive, random)."""

    generation: int  # 0 = the initial population / first batch
    evaluated: int  # cells scored so far
    best_score: float


@dataclass(frozen=True)
class SearchResult:
    top: list[Candidate]  # best first, distinct identities, all within the cost constraints
    evaluated: int  # cells scored (each identity at most once, except exhaustive's isomorphic duplicates)
    generations: int  # completed generations (evolution) or scored batches (exhaustive, random)
    cancelled: bool  # should_stop returned True before the search finished
    wall_seconds: float


ProgressCallback = Callable[[Progress], None]
StopCheck = Callable[[], bool]
