"""Choosing what to measure next: candidates from the pool or the space, the calibration of scores
to values, and the upper-confidence pick."""

import numpy as np
from cells import NB101_CHAIN, NB201_CONVS

from service.search.constraints import Budget
from service.spaces import get_space
from service.studies.acquisition import Calibration, pick, upper_confidence
from service.studies.candidates import space_candidates


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
