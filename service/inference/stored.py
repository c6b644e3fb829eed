"""Models trained by the service's own jobs (a study's refits, ``POST /train``): ONNX bytes and card
in the database, so every API replica and worker sees them; the shipped models stay files.

Loaded by id on first use and kept open per process: a model row is written once and never changed.
"""

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from service.core.orm import Base, UTCDateTime, utcnow
from service.inference.card import ModelCard
from service.inference.registry import LoadedModel, checked_card, open_checked


class StoredModel(Base):
    __tablename__ = "models"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    onnx: Mapped[bytes] = mapped_column(LargeBinary)
    # The study whose told trials trained it (null for POST /train on inline cells), and how many.
    study_id: Mapped[str | None] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    trained_on: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def save_model(
    db: Session, card: ModelCard, onnx: bytes, *, trained_on: int, study_id: str | None = None
) -> StoredModel:
    """Store a checked model (its card's sha256 must be the bytes')."""
    checked_card(card, onnx)
    row = StoredModel(
        id=card.id,
        card=card.model_dump(mode="json"),
        onnx=onnx,
        study_id=study_id,
        trained_on=trained_on,
        created_at=utcnow(),
    )
    db.add(row)
    db.commit()
    return row


def stored_cards(db: Session, *, study_id: str | None = None) -> list[ModelCard]:
    """The cards of the stored models (of one study, where given), oldest first; no ONNX bytes read."""
    query = select(StoredModel.card).order_by(StoredModel.created_at, StoredModel.id)
    if study_id is not None:
        query = query.where(StoredModel.study_id == study_id)
    return [ModelCard.model_validate(card) for card in db.scalars(query)]


def latest_of_study(db: Session, study_id: str) -> tuple[ModelCard, int] | None:
    """(card, cells trained on) of the study's newest model, or None before its first refit."""
    row = db.execute(
        select(StoredModel.card, StoredModel.trained_on)
        .where(StoredModel.study_id == study_id)
        .order_by(StoredModel.created_at.desc(), StoredModel.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (ModelCard.model_validate(row[0]), row[1])


def count_of_study(db: Session, study_id: str) -> int:
    """How many models the study's refits have stored (the next one's number)."""
    return (
        db.scalar(select(func.count()).select_from(StoredModel).where(StoredModel.study_id == study_id)) or 0
    )


def load_stored(db: Session, model_id: str, providers: Sequence[str]) -> LoadedModel | None:
    """The stored model ``model_id`` in a session of its own, or None when there is none."""
    row = db.get(StoredModel, model_id)
    if row is None:
        return None
    card = ModelCard.model_validate(row.card)
    return open_checked(card, row.onnx, providers)


class StoredModels:
    """A process's cache of stored models, opened on first use (``ModelRegistry.stored``)."""

    def __init__(self, sessions: sessionmaker[Session], providers: Sequence[str]) -> None:
        self.sessions = sessions
        self.providers = tuple(providers)
        self._open: dict[str, LoadedModel] = {}
        self._lock = threading.Lock()

    def __call__(self, model_id: str) -> LoadedModel | None:
        with self._lock:
            if model_id in self._open:
                return self._open[model_id]
        with self.sessions() as db:
            model = load_stored(db, model_id, self.providers)
        if model is not None:
            with self._lock:
                model = self._open.setdefault(model_id, model)
        return model
