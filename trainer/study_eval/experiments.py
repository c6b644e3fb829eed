"""One run of each method: the sequence of networks it evaluated, in order (``Run.trajectory``).

- ``study``: the service's own study code, on a throwaway SQLite database: create, ask 10, tell the
  oracle's values, and after every tell the refit a train worker would run (the same job, claimed and
  run in this process), so the next ask chooses by the new ensemble, as ``"wait": true`` does.
- ``study-greedy``: the same, picking by the ensemble's mean alone (upper confidence bound with
  beta 0): how much the spread's exploration is worth at these budgets.
- ``study-greedy-all``: that, with every member trained on every told cell (no bootstrap: a better
  mean from a few dozen cells, and no out-of-bag tau).
- ``study-path``: the service's choices with ``path-pair`` members (``CellPathGNN``: path sums in the
  read-out) in place of ``gnn-pair``.
- ``random``: distinct networks drawn uniformly.
- ``evolution``: regularised (ageing) evolution, Real et al. 2019: population 10, tournaments of 3,
  one-edit mutations; a network already evaluated is never evaluated again (costs nothing to skip).
- ``oneshot``: the ReNAS protocol: 90 random networks told, one predictor (``gnn-pair``) trained on
  them, its predicted top 10 of the remaining networks told.

Noise, when asked for, is added to what the method is told (one training run's spread); the
trajectory is judged by the noise-free values (``report``).
"""

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from service import migrations
from service.core.db import make_engine, make_sessionmaker
from service.inference.identity_table import ServedSpaces
from service.inference.registry import ModelRegistry
from service.inference.session import CPU
from service.inference.stored import StoredModels
from service.jobs import service as jobs
from service.jobs.kind import WorkerConfig
from service.jobs.worker import run_job
from service.spaces import get_space
from service.studies import service as studies
from service.studies.acquisition import UCB_BETA
from service.studies.predictor import current_predictor
from service.studies.schemas import StudyCreate, TellTrial
from service.training import refits
from service.training.refits import REFIT_VARIANT
from service.training.schemas import Variant
from trainer.study_eval.oracle import Oracle
from trainer.train import batch_size_for, epochs_for, train_predictor
from trainer.variants import get_variant

BATCH = 10


@dataclass(frozen=True)
class StudyMethod:
    beta: float  # the acquisition's weight of the spread
    bootstrap: bool  # whether the refit's members resample the told cells
    variant: Variant = REFIT_VARIANT  # the refit's members


STUDY_METHODS = {
    "study": StudyMethod(UCB_BETA, bootstrap=True),  # the service's own choices
    "study-greedy": StudyMethod(0.0, bootstrap=True),
    "study-greedy-all": StudyMethod(0.0, bootstrap=False),
    "study-path": StudyMethod(UCB_BETA, bootstrap=True, variant="path-pair"),
}
METHODS = (*STUDY_METHODS, "random", "evolution", "oneshot")
REA_POPULATION, REA_SAMPLE = 10, 3
ONESHOT_RANDOM, ONESHOT_TOP = 90, 10
ONESHOT_VARIANT = "gnn-pair"
WORKER = "study-eval"


@dataclass
class Run:
    method: str
    seed: int
    noise: float
    trajectory: list[str] = field(default_factory=list)  # identities evaluated, in order
    seconds: float = 0.0


class Teller:
    """The oracle's value for a network, with the run's seeded noise (drawn once per network)."""

    def __init__(self, oracle: Oracle, noise: float, seed: int) -> None:
        self.oracle, self.noise = oracle, noise
        self.rng = np.random.default_rng([seed, 7919])

    def __call__(self, identity: str) -> float:
        value = self.oracle.told[identity]
        return value + float(self.rng.normal(0.0, self.noise)) if self.noise > 0 else value


def run_method(method: str, oracle: Oracle, *, seed: int, noise: float, budget: int) -> Run:
    runner: Callable[[Oracle, Run, Teller, int], None] = (
        _study
        if method in STUDY_METHODS
        else {"random": _random, "evolution": _evolution, "oneshot": _oneshot}[method]
    )
    run = Run(method, seed, noise)
    started = time.perf_counter()
    runner(oracle, run, Teller(oracle, noise, seed), budget)
    run.seconds = time.perf_counter() - started
    return run


def _random_order(oracle: Oracle, seed: int) -> list[str]:
    identities = sorted(oracle.told)
    return [identities[i] for i in np.random.default_rng(seed).permutation(len(identities))]


def _random(oracle: Oracle, run: Run, tell: Teller, budget: int) -> None:
    run.trajectory = _random_order(oracle, run.seed)[:budget]


def _evolution(oracle: Oracle, run: Run, tell: Teller, budget: int) -> None:
    space = get_space(oracle.space)
    rng = np.random.default_rng(run.seed)
    pool = set(oracle.told)  # NB101: mutants outside the table's pool are not evaluable: skipped
    order = iter(_random_order(oracle, run.seed))
    seen: set[str] = set()
    population: list[tuple[str, float]] = []

    def evaluate(identity: str) -> None:
        seen.add(identity)
        run.trajectory.append(identity)
        population.append((identity, tell(identity)))

    while len(run.trajectory) < min(REA_POPULATION, budget):
        evaluate(next(identity for identity in order if identity not in seen))
    while len(run.trajectory) < budget:
        sample = [population[i] for i in rng.choice(len(population), REA_SAMPLE, replace=False)]
        parent = oracle.cells[max(sample, key=lambda p: p[1])[0]]
        child = None
        for _ in range(100):
            mutant = space.identity(space.mutate(parent, rng))
            if mutant in pool and mutant not in seen:
                child = mutant
                break
        evaluate(child if child is not None else next(i for i in order if i not in seen))
        population.pop(0)  # ageing: the oldest dies, whatever its value


def _oneshot(oracle: Oracle, run: Run, tell: Teller, budget: int) -> None:
    space = get_space(oracle.space)
    order = _random_order(oracle, run.seed)
    first, rest = order[:ONESHOT_RANDOM], order[ONESHOT_RANDOM:]
    variant = get_variant(ONESHOT_VARIANT)
    x = space.encode([oracle.cells[i] for i in first], variant.encoding)
    y = np.array([tell(i) for i in first])
    model = train_predictor(
        x,
        y,
        variant=variant.name,
        epochs=epochs_for(len(first)),
        seed=run.seed,
        batch_size=batch_size_for(len(first)),
    )
    scores = np.concatenate(
        [
            model.predict(space.encode([oracle.cells[i] for i in rest[s : s + 4096]], variant.encoding))
            for s in range(0, len(rest), 4096)
        ]
    )
    top = np.argsort(-scores, kind="stable")[:ONESHOT_TOP]
    run.trajectory = (first + [rest[i] for i in top])[:budget]


class StudyDriver:
    """A study through the service's code, on its own database; refits run as train jobs, here."""

    def __init__(self, folder: Path) -> None:
        url = f"sqlite:///{folder / 'study.db'}"
        migrations.upgrade(url)
        self.engine = make_engine(url)
        self.sessions = make_sessionmaker(self.engine)
        self.registry = ModelRegistry(stored=StoredModels(self.sessions, [CPU]))
        self.spaces = ServedSpaces()
        self.config = WorkerConfig(database_url=url, models_dir=folder, providers=(CPU,), batch_size=4096)

    def refit(self, db: Session, study_id: str, method: StudyMethod) -> None:
        """Queue the refit the tell asks for and run it to its end, as a train worker would."""
        study = studies.get_study(db, study_id)
        told = studies.count_told(db, study)
        if (
            refits.request_refit(db, study, told=told, bootstrap=method.bootstrap, variant=method.variant)
            is None
        ):
            return
        job_id = jobs.claim_next(db, [refits.TRAIN_KIND], WORKER)
        assert job_id is not None
        run_job(job_id, self.config, WORKER)
        job = jobs.get_job(db, job_id)
        db.refresh(job)
        if job.status != "succeeded":
            raise RuntimeError(f"refit {job_id} {job.status}: {job.error}")


def _study(oracle: Oracle, run: Run, tell: Teller, budget: int) -> None:
    method = STUDY_METHODS[run.method]
    with tempfile.TemporaryDirectory() as folder:
        driver = StudyDriver(Path(folder))
        space = driver.spaces[oracle.space]
        with driver.sessions() as db:
            study_id = studies.create_study(
                db,
                StudyCreate(space=oracle.space, seed=run.seed, candidates=oracle.pool),  # type: ignore[arg-type]
                space,
            ).id
            optimum = oracle.optimum
            while len(run.trajectory) < budget and optimum not in run.trajectory:
                study = studies.get_study(db, study_id)
                predictor = current_predictor(db, driver.registry, study, space, batch_size=4096)
                n = min(BATCH, budget - len(run.trajectory))
                trials = studies.ask(
                    db,
                    study,
                    space,
                    n,
                    None if predictor is None else predictor.predict,
                    beta=method.beta,
                )
                if not trials:
                    break
                results = [TellTrial(trial=t.number, value=tell(t.identity)) for t in trials]
                studies.tell(db, study, space, results)
                run.trajectory += [t.identity for t in trials]
                driver.refit(db, study_id, method)
        driver.engine.dispose()
