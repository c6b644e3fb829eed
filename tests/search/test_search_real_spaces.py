"""The searches on the real spaces, with a toy score: a fixed random linear function of the encoding."""

import numpy as np
import pytest

from service.search import make_scorer, run_search
from service.spaces import get_space


def _linear_scorer(space, calls: list[list] | None = None):
    shape = space.encodings[space.default_encoding]
    weights = np.random.default_rng(0).normal(size=int(np.prod(shape)))

    def predict(x: np.ndarray) -> np.ndarray:
        return x.reshape(len(x), -1) @ weights

    scorer = make_scorer(space, predict)
    if calls is None:
        return scorer

    def spy(cells):
        calls.append(list(cells))
        return scorer(cells)

    return spy


@pytest.fixture(scope="module")
def nb201_truth():
    """Every nb201 network's toy score and cost, by brute force outside the search code."""
    space = get_space("nb201")
    cells = list(space.enumerate())
    scores = _linear_scorer(space)(cells)
    flops = space.cost(cells)[1]
    truth: dict[str, tuple[float, int]] = {}
    for cell, score, f in zip(cells, scores, flops, strict=True):
        truth.setdefault(space.identity(cell), (float(score), int(f)))
    return truth


def test_nb201_exhaustive_returns_the_true_top_k(nb201_truth):
    space = get_space("nb201")
    result = run_search("exhaustive", space, _linear_scorer(space), top_k=10)
    best = sorted(nb201_truth, key=lambda identity: -nb201_truth[identity][0])[:10]
    assert [c.identity for c in result.top] == best
    assert [c.score for c in result.top] == pytest.approx([nb201_truth[i][0] for i in best])
    assert result.evaluated == len(nb201_truth)  # 15,625 cells, each network scored once


def test_nb201_exhaustive_under_a_flops_budget(nb201_truth):
    space = get_space("nb201")
    limit = int(np.median([f for _, f in nb201_truth.values()]))
    result = run_search("exhaustive", space, _linear_scorer(space), top_k=10, max_flops=limit)
    allowed = {i: s for i, (s, f) in nb201_truth.items() if f <= limit}
    assert result.evaluated == len(allowed)
    assert [c.identity for c in result.top] == sorted(allowed, key=lambda i: -allowed[i])[:10]
    assert all(c.flops <= limit for c in result.top)


def test_nb201_evolution_finds_the_best_network(nb201_truth):
    space = get_space("nb201")
    result = run_search(
        "evolution", space, _linear_scorer(space), top_k=5, seed=0, params={"generations": 60}
    )
    assert result.top[0].identity == max(nb201_truth, key=lambda identity: nb201_truth[identity][0])


@pytest.mark.parametrize("strategy", ["evolution", "random"])
def test_nb101_searches_score_each_network_once_within_budget(strategy):
    space = get_space("nb101")
    calls: list[list] = []
    limit = 3_000_000  # params: about the median of sampled cells, so the budget bites
    params = {"population": 16, "generations": 10} if strategy == "evolution" else {"budget": 200}
    result = run_search(
        strategy, space, _linear_scorer(space, calls), top_k=5, seed=1, params=params, max_params=limit
    )
    identities = [space.identity(cell) for batch in calls for cell in batch]
    assert len(identities) == len(set(identities)) == result.evaluated
    assert all(space.cost(batch)[0].max() <= limit for batch in calls)
    assert len(result.top) == 5 and all(c.params <= limit for c in result.top)
    if strategy == "evolution":
        assert len(calls) == result.generations + 1 == 11
