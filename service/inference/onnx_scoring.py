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
    card = model.card
    scores = np.empty(len(cells), dtype=np.float32)
    for start in range(0, len(cells), batch_size):
        batch = cells[start : start + batch_size]
        x = space.encode(batch, card.encoding)
        with ONNX_SECONDS.labels(card.id).time():
            (out,) = model.session.run([card.output_name], {card.input_name: x})
        scores[start : start + len(batch)] = np.asarray(out, dtype=np.float32).reshape(len(batch))
    CELLS_SCORED.labels(space.name, card.id).inc(len(cells))
    return scores
