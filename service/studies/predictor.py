"""A study's predictor: the model of its newest finished refit, as the function an ask scores with."""

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.inference.card import ModelCard
from service.inference.onnx_scoring import score_cells_with_spread
from service.inference.registry import ModelLoadError, ModelRegistry
from service.inference.stored import latest_of_study
from service.spaces import Space
from service.studies.models import Study
from service.studies.service import Predictor

log = logging.getLogger(__name__)


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
    return StudyPredictor(
        card, trained_on, lambda cells: score_cells_with_spread(model, space, cells, batch_size=batch_size)
    )
