"""Scoring cells with a loaded model, in batches so memory stays bounded for large requests."""

from collections.abc import Hashable, Sequence

import numpy as np

from service.core.metrics import CELLS_SCORED, ONNX_SECONDS
from service.inference.registry import LoadedModel
from service.spaces import Space


def score_cells(
    model: LoadedModel, space: Space, cells: Sequence[Hashable], *, batch_size: int = 4096
) -> np.ndarray:
    """float32 scores, one per cell in input order; higher means predicted better."""
    (scores,) = _run(model, space, cells, [model.card.output_name], batch_size)
    return scores


def score_cells_with_spread(
    model: LoadedModel, space: Space, cells: Sequence[Hashable], *, batch_size: int = 4096
) -> tuple[np.ndarray, np.ndarray | None]:
    """(scores, spread) per cell in input order; spread (the ensemble members' std) is None when the
    card names no spread output."""
    card = model.card
    if card.spread_output is None:
        return score_cells(model, space, cells, batch_size=batch_size), None
    scores, spread = _run(model, space, cells, [card.output_name, card.spread_output], batch_size)
    return scores, spread


def _run(
    model: LoadedModel, space: Space, cells: Sequence[Hashable], outputs: list[str], batch_size: int
) -> list[np.ndarray]:
    """One float32 array per output name, one value per cell: the batching loop of both functions above."""
    card = model.card
    columns = [np.empty(len(cells), dtype=np.float32) for _ in outputs]
    for start in range(0, len(cells), batch_size):
        batch = cells[start : start + batch_size]
        x = space.encode(batch, card.encoding)
        with ONNX_SECONDS.labels(card.id).time():
            results = model.session.run(outputs, {card.input_name: x})
        for column, out in zip(columns, results, strict=True):
            column[start : start + len(batch)] = np.asarray(out, dtype=np.float32).reshape(len(batch))
    CELLS_SCORED.labels(space.name, card.id).inc(len(cells))
    return columns
