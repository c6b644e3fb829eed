"""Studies over the tables: create, ask, tell, and what a study knows; used by the study routes.

Every ask and tell is one transaction: a tell is committed before it is answered, and a tell with
one bad entry changes nothing. Trials are unique per (study, number) and per (study, identity), so
two clients asking at once never get the same network: the loser of a race retries on fresh state.
"""

import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.core.metrics import STUDY_TELLS
from service.core.orm import utcnow
from service.inference.cells import InvalidCellsError, parse_cells
from service.search.constraints import Budget
from service.spaces import Space
from service.studies.acquisition import UCB_BETA, Calibration, pick, upper_confidence
from service.studies.candidates import space_candidates
from service.studies.design import draw_from_pool, draw_from_space
from service.studies.models import Study, Trial, TrialState
from service.studies.schemas import StudyCreate, TellCell, TellTrial

ASK_RETRIES = 5
# A study's predictor: (mean, spread or None) per cell, larger is better in the study's goal.
Predictor = Callable[[Sequence[Hashable]], tuple[np.ndarray, np.ndarray | None]]


class StudyNotFoundError(LookupError):
    """No study with that id."""


class TrialNotFoundError(LookupError):
    """No trial with that number in the study."""


class TellConflictError(ValueError):
    """A tell that contradicts what the study was already told (another value, or value vs failure)."""


def budget_of(study: Study) -> Budget:
    return Budget(max_params=study.max_params, max_flops=study.max_flops)


def create_study(db: Session, request: StudyCreate, space: Space) -> Study:
    """A new study; its pool, when given, is parsed, checked against the constraints and de-duplicated."""
    study = Study(
        id=uuid.uuid4().hex,
        name=request.name,
        space=request.space,
        goal=request.goal,
        seed=request.seed,
        max_params=request.max_params,
        max_flops=request.max_flops,
        created_at=utcnow(),
    )
    if request.candidates is not None:
        study.candidates, study.candidate_hashes = _pool(space, request.candidates, budget_of(study))
    db.add(study)
    db.commit()
    return study


def _pool(
    space: Space, objects: Sequence[dict[str, Any]], budget: Budget
) -> tuple[list[dict[str, Any]], list[str]]:
    """The pool's cells (JSON) and identities, one per network; a 422 for a cell outside the space or
    the constraints."""
    cells = parse_cells(space, objects, field="candidates")
    over = [i for i, ok in enumerate(budget.allows(space, cells)) if not ok]
    if over:
        errors = [(i, f"candidates[{i}]: over the study's max_params / max_flops") for i in over]
        raise InvalidCellsError(errors, len(over), "candidates")
    unique: dict[str, dict[str, Any]] = {}
    for cell, identity in zip(cells, space.identities(cells), strict=True):
        unique.setdefault(identity, space.to_json(cell))
    return list(unique.values()), list(unique)


def get_study(db: Session, study_id: str) -> Study:
    study = db.get(Study, study_id)
    if study is None:
        raise StudyNotFoundError(f"no study {study_id!r}")
    return study


def list_studies(db: Session, *, offset: int, limit: int) -> tuple[list[Study], int]:
    page = db.scalars(select(Study).order_by(Study.created_at.desc(), Study.id).offset(offset).limit(limit))
    return list(page), db.scalar(select(func.count()).select_from(Study)) or 0


def trials_of(db: Session, study: Study, *, offset: int = 0, limit: int | None = None) -> list[Trial]:
    query = select(Trial).where(Trial.study_id == study.id).order_by(Trial.number).offset(offset)
    return list(db.scalars(query if limit is None else query.limit(limit)))


def count_trials(db: Session, study: Study) -> int:
    return db.scalar(select(func.count()).select_from(Trial).where(Trial.study_id == study.id)) or 0


def count_told(db: Session, study: Study) -> int:
    """Trials told a value (what a refit trains on)."""
    query = select(func.count()).select_from(Trial)
    return db.scalar(query.where(Trial.study_id == study.id, Trial.state == TrialState.complete)) or 0


def ask(
    db: Session,
    study: Study,
    space: Space,
    n: int,
    predictor: Predictor | None = None,
    *,
    beta: float = UCB_BETA,
) -> list[Trial]:
    """Propose up to ``n`` new trials (pending until told) and record them: the initial design until
    the study has a predictor, then the unseen candidates of highest upper confidence bound (mean +
    ``beta`` x spread; the study-eval benchmark compares betas)."""
    for attempt in range(ASK_RETRIES):
        trials = trials_of(db, study)
        seen = {t.identity for t in trials}
        rng = np.random.default_rng([study.seed, len(trials), attempt])
        if predictor is None:
            proposed, predicted = _initial_design(study, space, rng, n, seen), None
            reason = "initial design"
        else:
            proposed, predicted = _acquire(study, space, rng, n, trials, predictor, beta)
            reason = "acquisition"
        new = _new_trials(study, space, proposed, first=len(trials), reason=reason, predicted=predicted)
        db.add_all(new)
        try:
            db.commit()
        except IntegrityError:  # another ask or tell took a number or a network meanwhile
            db.rollback()
            continue
        return new
    raise RuntimeError(f"study {study.id}: {ASK_RETRIES} concurrent asks in a row; try again")


def _initial_design(
    study: Study, space: Space, rng: np.random.Generator, n: int, seen: set[str]
) -> list[tuple[Hashable, str]]:
    if study.candidates is None or study.candidate_hashes is None:
        return draw_from_space(space, rng, n, seen=seen, budget=budget_of(study))
    picked = draw_from_pool(rng, n, seen=seen, pool=study.candidate_hashes)
    cells = parse_cells(space, [study.candidates[i] for i in picked])
    return list(zip(cells, [study.candidate_hashes[i] for i in picked], strict=True))


def _pool_cells(study: Study, space: Space) -> list[tuple[Hashable, str]]:
    assert study.candidates is not None and study.candidate_hashes is not None
    return list(zip(parse_cells(space, study.candidates), study.candidate_hashes, strict=True))


def _acquire(
    study: Study,
    space: Space,
    rng: np.random.Generator,
    n: int,
    trials: Sequence[Trial],
    predictor: Predictor,
    beta: float,
) -> tuple[list[tuple[Hashable, str]], list[tuple[float, float | None]]]:
    """The ``n`` unseen candidates of highest upper confidence bound, with their predicted value and
    spread in the study's units."""
    seen = {t.identity for t in trials}
    sign = 1.0 if study.goal == "maximize" else -1.0
    told = sorted(
        (t for t in trials if t.state == TrialState.complete and t.value is not None),
        key=lambda t: -sign * t.value,  # type: ignore[operator]
    )
    told_cells = parse_cells(space, [t.cell for t in told])
    if study.candidates is not None:
        pairs = [pair for pair in _pool_cells(study, space) if pair[1] not in seen]
    else:
        pairs = space_candidates(space, rng, seen=seen, budget=budget_of(study), parents=told_cells)
    if not pairs:
        return [], []
    mean, spread = predictor([cell for cell, _ in pairs] + told_cells)
    k = len(pairs)
    calibration = Calibration.fit(mean[k:], sign * np.array([t.value for t in told], dtype=np.float64))
    chosen = pick(upper_confidence(mean[:k], None if spread is None else spread[:k], beta=beta), n)
    values = sign * calibration.values(mean[chosen])
    spreads = [None] * len(chosen) if spread is None else (calibration.slope * spread[chosen]).tolist()
    return [pairs[i] for i in chosen], list(zip(values.tolist(), spreads, strict=True))


def _new_trials(
    study: Study,
    space: Space,
    cells: Sequence[tuple[Hashable, str]],
    *,
    first: int,
    reason: str,
    predicted: Sequence[tuple[float, float | None]] | None = None,
) -> list[Trial]:
    params, flops = space.cost([cell for cell, _ in cells]) if cells else ([], [])
    predicted = predicted or [(None, None)] * len(cells)  # type: ignore[list-item]
    now = utcnow()
    return [
        Trial(
            study_id=study.id,
            number=first + i,
            identity=identity,
            cell=space.to_json(cell),
            params=int(params[i]),
            flops=int(flops[i]),
            state=TrialState.pending,
            reason=reason,
            predicted_mean=predicted[i][0],
            predicted_spread=predicted[i][1],
            created_at=now,
        )
        for i, (cell, identity) in enumerate(cells)
    ]


@dataclass(frozen=True)
class TellOutcome:
    trials: list[int]  # the number of the trial each result went to
    changed: int


def tell(db: Session, study: Study, space: Space, results: Sequence[TellTrial | TellCell]) -> TellOutcome:
    """Record results, all or none: InvalidCellsError (422), TrialNotFoundError (404) or
    TellConflictError (409) name the first bad entry and leave the study as it was."""
    for attempt in range(ASK_RETRIES):
        try:
            return _tell_once(db, study, space, results)
        except IntegrityError:  # a concurrent ask or tell created one of these networks meanwhile
            db.rollback()
            if attempt == ASK_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _tell_once(
    db: Session, study: Study, space: Space, results: Sequence[TellTrial | TellCell]
) -> TellOutcome:
    trials = trials_of(db, study)
    targets = _targets(study, space, results, trials)
    now = utcnow()
    changed = 0
    for index, (result, trial) in enumerate(zip(results, targets, strict=True)):
        state = TrialState.failed if result.failed else TrialState.complete
        if trial.state == TrialState.pending:
            trial.state, trial.value, trial.error, trial.told_at = state, result.value, result.error, now
            db.add(trial)
            changed += 1
        elif trial.state != state or trial.value != result.value:
            told = "failed" if trial.state == TrialState.failed else f"value {trial.value}"
            asked = "failed" if result.failed else f"value {result.value}"
            db.rollback()
            raise TellConflictError(
                f"results[{index}]: trial {trial.number} was already told {told}, not {asked}"
            )
        # else: told again, the same: nothing changes
    db.commit()
    for result in results:
        STUDY_TELLS.labels("failed" if result.failed else "value").inc()
    return TellOutcome([t.number for t in targets], changed)


def _targets(
    study: Study, space: Space, results: Sequence[TellTrial | TellCell], trials: Sequence[Trial]
) -> list[Trial]:
    """The trial each result goes to: the asked one, the one of the cell's network, or a new pending
    trial (reason "told") that the tell completes; the new ones are costed in one batch."""
    by_number = {t.number: t for t in trials}
    by_identity = {t.identity: t for t in trials}
    at = [i for i, r in enumerate(results) if isinstance(r, TellCell)]
    cells, identities = _told_cells(study, space, [results[i].cell for i in at], at)  # type: ignore[union-attr]
    identity_at = dict(zip(at, identities, strict=True))
    unseen: dict[str, Hashable] = {}  # networks no trial holds yet, first cell of each, in order
    for cell, identity in zip(cells, identities, strict=True):
        if identity not in by_identity:
            unseen.setdefault(identity, cell)
    new = _new_trials(study, space, [(c, i) for i, c in unseen.items()], first=len(trials), reason="told")
    by_identity |= {trial.identity: trial for trial in new}
    targets: list[Trial] = []
    for index, result in enumerate(results):
        if isinstance(result, TellTrial):
            if result.trial not in by_number:
                raise TrialNotFoundError(f"results[{index}]: study {study.id} has no trial {result.trial}")
            targets.append(by_number[result.trial])
        else:
            targets.append(by_identity[identity_at[index]])
    return targets


def _told_cells(
    study: Study, space: Space, objects: Sequence[dict[str, Any]], at: Sequence[int]
) -> tuple[list[Hashable], list[str]]:
    """The told cells and their identities; a cell outside the space, the pool or the constraints is
    a 422 naming it."""
    cells = parse_cells(space, objects, field="results", at=at, suffix=".cell")
    if not cells:
        return [], []
    identities = space.identities(cells)
    pool = None if study.candidate_hashes is None else set(study.candidate_hashes)
    problems = []
    for i, ok in enumerate(budget_of(study).allows(space, cells)):
        if not ok:
            problems.append((at[i], f"results[{at[i]}].cell: over the study's max_params / max_flops"))
        elif pool is not None and identities[i] not in pool:
            problems.append((at[i], f"results[{at[i]}].cell: not in the study's pool of candidates"))
    if problems:
        raise InvalidCellsError(problems, len(problems), "results")
    return cells, identities


@dataclass(frozen=True)
class Summary:
    """What a study knows: counts, the best told trial, and the best value after each told value."""

    asked: int
    told: int
    failed: int
    pending: int
    best: Trial | None
    history: list[tuple[int, float]]


def summarize(db: Session, study: Study) -> Summary:
    """The study's counts, best told trial and history, from aggregate queries (no trial's cell read
    but the best one's, however many thousands were told)."""
    mine = Trial.study_id == study.id
    by_state = dict(db.execute(select(Trial.state, func.count()).where(mine).group_by(Trial.state)).all())
    asked = db.scalar(select(func.count()).select_from(Trial).where(mine, Trial.reason != "told")) or 0
    told = db.execute(
        select(Trial.number, Trial.value)
        .where(mine, Trial.state == TrialState.complete, Trial.value.is_not(None))
        .order_by(Trial.told_at, Trial.number)
    ).all()
    sign = 1.0 if study.goal == "maximize" else -1.0
    history: list[tuple[int, float]] = []
    best: tuple[int, float] | None = None
    for count, (number, value) in enumerate(told, start=1):
        if best is None or sign * value > sign * best[1]:
            best = (number, value)
        history.append((count, best[1]))
    best_trial = None if best is None else db.scalar(select(Trial).where(mine, Trial.number == best[0]))
    return Summary(
        asked=asked,
        told=len(told),
        failed=by_state.get(TrialState.failed, 0),
        pending=by_state.get(TrialState.pending, 0),
        best=best_trial,
        history=history,
    )
