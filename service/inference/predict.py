"""Scoring a request's cells: parse, cost, identify and score them in one pass."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from service.inference.cells import parse_cells
from service.inference.onnx_scoring import score_cells_with_spread
from service.inference.registry import LoadedModel
from service.spaces import Space


@dataclass(frozen=True)
class ScoredCells:
    identities: list[str]
    scores: np.ndarray  # float32, input order
    spread: np.ndarray | None  # float32, input order: the ensemble members' std; None for single models
    params: np.ndarray  # int64
    flops: np.ndarray  # int64

    def spread_values(self) -> list[float | None]:
        """The spread per cell as JSON values: null for every cell of a model without one."""
        return [None] * len(self.scores) if self.spread is None else self.spread.tolist()


def score_request(
    model: LoadedModel, space: Space, objects: Sequence[Mapping[str, Any]], *, batch_size: int
) -> ScoredCells:
    """Scores (with an ensemble's spread), identities and costs of the request's cells; InvalidCellsError
    if any is invalid."""
    cells = parse_cells(space, objects)
    params, flops = space.cost(cells)
    scores, spread = score_cells_with_spread(model, space, cells, batch_size=batch_size)
    return ScoredCells(
        identities=space.identities(cells),
        scores=scores,
        spread=spread,
        params=params,
        flops=flops,
    )
