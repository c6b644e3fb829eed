"""The models the service serves: every model card + .onnx pair in the models folder, and the models
its own jobs trained (stored in the database: ``service.inference.stored``), looked up by id.

The files are loaded once at start-up. A pair whose .onnx is missing, whose sha256 differs from its
card, or whose encoding does not match the space's current encoding is rejected (logged and listed
under ``rejected``) rather than served, since it would score cells with the wrong numbers.
"""

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import onnxruntime as ort
from pydantic import ValidationError

from service.inference.card import ModelCard
from service.inference.session import open_session
from service.spaces import get_space

log = logging.getLogger(__name__)


class ModelLoadError(ValueError):
    """A card + .onnx pair that cannot be served; the message says why."""


class ModelNotFoundError(LookupError):
    """No loaded model matches the request; the message says what was asked for."""


@dataclass(frozen=True)
class LoadedModel:
    card: ModelCard
    session: ort.InferenceSession

    @property
    def providers(self) -> list[str]:
        return self.session.get_providers()


@dataclass(frozen=True)
class RejectedModel:
    file: str
    reason: str


ModelLookup = Callable[[str], LoadedModel | None]


def _no_stored_models(model_id: str) -> LoadedModel | None:
    return None


@dataclass
class ModelRegistry:
    models: dict[str, LoadedModel] = field(default_factory=dict)  # the files, by id
    rejected: list[RejectedModel] = field(default_factory=list)
    # Models trained by the service's jobs, by id (never picked as a default).
    stored: ModelLookup = _no_stored_models

    def get(self, model_id: str) -> LoadedModel | None:
        return self.models.get(model_id) or self.stored(model_id)

    def pick(self, space: str, model_id: str | None = None, dataset: str | None = None) -> LoadedModel:
        """The named model, else the default one for ``space`` (and ``dataset``), else the first."""
        if model_id is not None:
            model = self.get(model_id)
            if model is None:
                raise ModelNotFoundError(f"unknown model {model_id!r}")
            if model.card.space != space:
                raise ModelNotFoundError(
                    f"model {model_id!r} is for space {model.card.space!r}, not {space!r}"
                )
            if dataset is not None and model.card.dataset != dataset:
                raise ModelNotFoundError(
                    f"model {model_id!r} is for dataset {model.card.dataset!r}, not {dataset!r}"
                )
            return model
        candidates = [
            m
            for m in self.models.values()
            if m.card.space == space and (dataset is None or m.card.dataset == dataset)
        ]
        if not candidates:
            wanted = space if dataset is None else f"{space} / {dataset}"
            raise ModelNotFoundError(f"no model loaded for {wanted}")
        defaults = [m for m in candidates if m.card.default]
        return (defaults or candidates)[0]


def load_model(card_path: Path, providers: Sequence[str]) -> LoadedModel:
    """One card and its .onnx, checked against its sha256 and its space's encoding."""
    try:
        card = ModelCard.model_validate_json(card_path.read_bytes())
    except ValidationError as exc:
        raise ModelLoadError(f"not a valid model card: {exc.error_count()} errors") from exc
    onnx_path = card_path.parent / card.onnx_file
    if not onnx_path.is_file():
        raise ModelLoadError(f"{card.onnx_file} is missing")
    return open_checked(card, onnx_path.read_bytes(), providers)


def open_checked(card: ModelCard, onnx: bytes, providers: Sequence[str]) -> LoadedModel:
    """A session on ``onnx`` once ``checked_card`` passes."""
    checked_card(card, onnx)
    return LoadedModel(card=card, session=open_session(onnx, providers))


def checked_card(card: ModelCard, onnx: bytes) -> None:
    """ModelLoadError unless ``onnx`` is the card's file and the card fits its space's encoding."""
    if hashlib.sha256(onnx).hexdigest() != card.sha256:
        raise ModelLoadError(f"sha256 of {card.onnx_file} differs from the card's")
    space = get_space(card.space)
    if card.encoding not in space.encodings:
        raise ModelLoadError(f"space {card.space} has no encoding {card.encoding!r}")
    if card.encoding_version != space.encoding_version:
        raise ModelLoadError(
            f"trained on {card.space} encoding version {card.encoding_version}, "
            f"the space is at version {space.encoding_version}"
        )
    if tuple(card.input_shape[1:]) != tuple(space.encodings[card.encoding]):
        raise ModelLoadError(
            f"input shape {card.input_shape} does not fit encoding {card.encoding} "
            f"{list(space.encodings[card.encoding])}"
        )


def card_path_of(models_dir: Path, model_id: str) -> Path:
    """The card file of model ``model_id`` (a search worker loads only the model its job names)."""
    for card_path in sorted(models_dir.glob("*.json")):
        try:
            card = ModelCard.model_validate_json(card_path.read_bytes())
        except ValidationError:
            continue
        if card.id == model_id:
            return card_path
    raise ModelNotFoundError(f"unknown model {model_id!r}")


def load_registry(models_dir: Path, providers: Sequence[str]) -> ModelRegistry:
    """Every card (``*.json``) in ``models_dir``, sorted by file name so "the first" is stable."""
    registry = ModelRegistry()
    for card_path in sorted(models_dir.glob("*.json")):
        try:
            model = load_model(card_path, providers)
        except ModelLoadError as exc:
            log.error("model card %s rejected: %s", card_path.name, exc)
            registry.rejected.append(RejectedModel(file=card_path.name, reason=str(exc)))
            continue
        if model.card.id in registry.models:
            reason = f"duplicate model id {model.card.id!r}"
            log.error("model card %s rejected: %s", card_path.name, reason)
            registry.rejected.append(RejectedModel(file=card_path.name, reason=reason))
            continue
        registry.models[model.card.id] = model
        log.info("loaded model %s on %s", model.card.id, ", ".join(model.providers))
    return registry
