"""A study's predictor: the model of its newest finished refit, as the function an ask scores with.

A model's score of a cell never changes, and an NB-201 ask scores every unseen network of the space:
scores are remembered per model (the last ``MEMO_MODELS`` models, ``MEMO_CELLS`` cells each), so only
a study's first ask after a refit pays for scoring the space.
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from service.inference.card import ModelCard
from service.inference.onnx_scoring import score_cells_with_spread
from service.inference.registry import ModelLoadError, ModelRegistry
from service.inference.stored import latest_of_study
from service.spaces import Space
from service.studies.models import Study
from service.studies.service import Predictor

log = logging.getLogger(__name__)

MEMO_MODELS = 8
MEMO_CELLS = 200_000


class ScoreMemo:
    """Scores (mean, spread) by model id and cell, for the most recently used models."""

    def __init__(self) -> None:
        self._models: OrderedDict[str, dict[Hashable, tuple[float, float]]] = OrderedDict()
        self._lock = threading.Lock()

    def _of(self, model_id: str) -> dict[Hashable, tuple[float, float]]:
        with self._lock:
            memo = self._models.setdefault(model_id, {})
            self._models.move_to_end(model_id)
            while len(self._models) > MEMO_MODELS:
                self._models.popitem(last=False)
            return memo

    def score(
        self, model_id: str, predict: Predictor, cells: Sequence[Hashable]
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Every cell's score, by ``predict`` only for the cells this model has not scored yet."""
        if len(cells) > MEMO_CELLS:
            return predict(cells)
        memo = self._of(model_id)
        new = list(dict.fromkeys(cell for cell in cells if cell not in memo))
        if new:
            if len(memo) + len(new) > MEMO_CELLS:  # full: start again with this request's cells
                memo.clear()
                new = list(dict.fromkeys(cells))
            mean, spread = predict(new)
            spreads = np.full(len(new), np.nan) if spread is None else spread
            memo.update(zip(new, zip(mean.tolist(), spreads.tolist(), strict=True), strict=True))
        scored = np.array([memo[cell] for cell in cells], dtype=np.float64).reshape(-1, 2)
        spread = scored[:, 1]
        return scored[:, 0], None if np.isnan(spread).all() else spread


MEMO = ScoreMemo()


@dataclass(frozen=True)
class StudyPredictor:
    card: ModelCard
    trained_on: int
    predict: Predictor


def current_predictor(
    db: Session, registry: ModelRegistry, study: Study, space: Space, *, batch_size: int
) -> StudyPredictor | None:
    """The newest refit's model, opened through the registry (loaded on first use); None before one."""
    latest = latest_of_study(db, study.id)
    if latest is None:
        return None
    card, trained_on = latest
    try:
        model = registry.get(card.id)
    except ModelLoadError as exc:  # e.g. trained before an encoding change: ask as if there were none
        log.warning(
            "study %s: its predictor %s cannot be served (%s); asking by the initial design",
            study.id,
            card.id,
            exc,
        )
        return None
    if model is None:
        return None

    def predict(cells: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray | None]:
        return score_cells_with_spread(model, space, cells, batch_size=batch_size)

    return StudyPredictor(card, trained_on, lambda cells: MEMO.score(card.id, predict, cells))
