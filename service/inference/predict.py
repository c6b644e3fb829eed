"""Scoring a request's cells: parse, cost, identify and score them in one pass."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from service.inference.cells import parse_cells
from service.inference.onnx_scoring import score_cells
from service.inference.registry import LoadedModel
from service.spaces import Space


@dataclass(frozen=True)
class ScoredCells:
    identities: list[str]
    scores: np.ndarray  # float32, input order
    params: np.ndarray  # int64
    flops: np.ndarray  # int64


def score_request(
    model: LoadedModel, space: Space, objects: Sequence[Mapping[str, Any]], *, batch_size: int
) -> ScoredCells:
    """Scores, identities and costs of the request's cells; InvalidCellsError if any is invalid."""
    cells = parse_cells(space, objects)
    params, flops = space.cost(cells)
    return ScoredCells(
        identities=space.identities(cells),
        scores=score_cells(model, space, cells, batch_size=batch_size),
        params=params,
        flops=flops,
    )
