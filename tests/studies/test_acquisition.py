"""Choosing what to measure next: candidates from the pool or the space, the calibration of scores
to values, and the upper-confidence pick."""

from collections.abc import Hashable, Sequence
from pathlib import Path

import numpy as np
from cells import NB101_CHAIN, NB201_CONVS

from service import migrations
from service.core.db import make_engine, make_sessionmaker
from service.search.constraints import Budget
from service.spaces import get_space
from service.studies import service as studies
from service.studies.acquisition import Calibration, pick, upper_confidence
from service.studies.candidates import space_candidates
from service.studies.schemas import StudyCreate, TellTrial


def test_calibration_maps_scores_onto_told_values_and_never_reverses_them() -> None:
    scores = np.array([-1.0, 0.0, 1.0, 2.0])
    line = Calibration.fit(scores, 70.0 + 2.0 * scores)
    assert np.allclose([line.slope, line.intercept], [2.0, 70.0])
    assert np.allclose(line.values(np.array([3.0])), [76.0])
    backwards = Calibration.fit(scores, 70.0 - scores)  # a predictor ranking the told cells backwards
    assert backwards.slope == 0.0 and backwards.values(np.array([5.0]))[0] == np.mean(70.0 - scores)
    assert Calibration.fit(np.ones(3), np.array([1.0, 2.0, 3.0])).slope == 0.0  # flat scores


def test_the_upper_confidence_bound_prefers_uncertain_cells_among_equals() -> None:
    mean = np.array([1.0, 1.0, 0.5, 2.0])
    spread = np.array([0.0, 0.5, 0.2, 0.0])
    assert pick(upper_confidence(mean, spread, beta=1.0), 2).tolist() == [3, 1]
    assert pick(upper_confidence(mean, None), 3).tolist() == [3, 0, 1]  # ties keep candidate order


def test_nb201_candidates_are_every_unseen_network_within_the_budget() -> None:
    space = get_space("nb201")
    convs = space.parse(NB201_CONVS)
    seen = {space.identity(convs)}
    pairs = space_candidates(space, np.random.default_rng(0), seen=seen, budget=Budget(), parents=[convs])
    identities = [identity for _, identity in pairs]
    every = list(space.enumerate())
    distinct = len(set(space.identities(every)))  # fewer than 15,625: relabelled copies count once
    assert len(identities) == len(set(identities)) == distinct - 1 and distinct < len(every)
    assert not seen & set(identities)
    small = space_candidates(
        space, np.random.default_rng(0), seen=set(), budget=Budget(max_params=500_000), parents=[]
    )
    assert 0 < len(small) < len(pairs)
    assert all(p <= 500_000 for p in space.cost([c for c, _ in small])[0])


def test_nb101_candidates_are_bred_from_the_best_told_cells_and_drawn_at_random() -> None:
    space = get_space("nb101")
    chain = space.parse(NB101_CHAIN)
    seen = {space.identity(chain)}
    pairs = space_candidates(space, np.random.default_rng(1), seen=seen, budget=Budget(), parents=[chain])
    identities = [identity for _, identity in pairs]
    assert len(identities) == len(set(identities)) and not seen & set(identities)
    neighbours = {space.identity(space.mutate(chain, np.random.default_rng(s))) for s in range(20)}
    assert len(neighbours & set(identities)) > 0  # some one-edit neighbours of the parent are offered
    assert len(identities) > 2_000  # the uniform draws beside the bred ones


def test_ask_trades_the_predicted_mean_against_the_spread_by_beta(tmp_path: Path) -> None:
    """A pool of 40 networks: the predictor is surest of the one it rates best and most unsure of
    another; beta 0 picks by the mean alone, a large beta takes the unsure one first."""
    space = get_space("nb201")
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    migrations.upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    pool = [space.to_json(cell) for cell in list(space.enumerate())[::400]]
    with sessions() as db:
        study = studies.create_study(db, StudyCreate(space="nb201", seed=0, candidates=pool), space)
        hashes = list(study.candidate_hashes or [])
        initial = studies.ask(db, study, space, 2)
        studies.tell(db, study, space, [TellTrial(trial=t.number, value=70.0 + t.number) for t in initial])
        told = {t.identity for t in initial}
        best, unsure = [h for h in hashes if h not in told][:2]

        def predictor(cells: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray]:
            ids = space.identities(list(cells))
            mean = np.array(
                [2.0 if i == best else 1.5 if i == unsure else float(j % 3) / 10 for j, i in enumerate(ids)]
            )
            return mean, np.array([3.0 if i == unsure else 0.1 for i in ids])

        greedy = studies.ask(db, study, space, 1, predictor, beta=0.0)
        bold = studies.ask(db, study, space, 1, predictor, beta=1.0)
    assert greedy[0].identity == best
    assert bold[0].identity == unsure
