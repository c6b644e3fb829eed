"""The study tables: one row per study, one per trial (a cell asked for or told, with its result)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.orm import Base, UTCDateTime, utcnow


class TrialState(StrEnum):
    pending = "pending"  # asked, no result yet
    complete = "complete"  # told a value
    failed = "failed"  # told it failed (it is never proposed again)


class Study(Base):
    __tablename__ = "studies"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    space: Mapped[str] = mapped_column(String(16))
    goal: Mapped[str] = mapped_column(String(8))  # "maximize" | "minimize"
    seed: Mapped[int] = mapped_column(BigInteger)
    max_params: Mapped[int | None] = mapped_column(BigInteger)
    max_flops: Mapped[int | None] = mapped_column(BigInteger)
    # The fixed pool of candidate cells (their JSON forms) and their identities, or None: the whole space.
    candidates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    candidate_hashes: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Trial(Base):
    __tablename__ = "trials"
    __table_args__ = (
        UniqueConstraint("study_id", "number", name="uq_trials_study_number"),
        # One trial per network: a relabelled copy of a cell is the same trial.
        UniqueConstraint("study_id", "identity", name="uq_trials_study_identity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    study_id: Mapped[str] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 0, 1, 2, ... within the study, in order of creation
    identity: Mapped[str] = mapped_column(String(256))
    cell: Mapped[dict[str, Any]] = mapped_column(JSON)
    params: Mapped[int] = mapped_column(BigInteger)
    flops: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(32))  # "initial design" | "acquisition" | "told"
    predicted_mean: Mapped[float | None] = mapped_column(Float)
    predicted_spread: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)  # what the user said about a failure, if anything
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
