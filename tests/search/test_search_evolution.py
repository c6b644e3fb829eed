import numpy as np
from search_toys import PARAMS_PER_BIT, BitStringSpace, SpyScorer, distance_scorer

from service.search import Progress, run_search

SPACE = BitStringSpace(16)
TARGET = (1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1)


def _evolve(scorer, **kwargs):
    kwargs.setdefault("params", {"generations": 40})
    return run_search("evolution", SPACE, scorer, **{"top_k": 5, "seed": 7, **kwargs})


def test_finds_the_known_optimum_of_a_toy_score():
    result = _evolve(distance_scorer(SPACE, TARGET))
    assert result.top[0].identity == SPACE.identity(TARGET)
    assert result.top[0].score == 0.0
    assert not result.cancelled


def test_top_is_distinct_best_first_and_costed():
    result = _evolve(distance_scorer(SPACE, TARGET))
    scores = [c.score for c in result.top]
    assert scores == sorted(scores, reverse=True)
    assert len({c.identity for c in result.top}) == len(result.top) == 5
    for c in result.top:
        assert c.identity == SPACE.identity(c.cell)
        assert (c.params, c.flops) == tuple(int(v[0]) for v in SPACE.cost([c.cell]))


def test_never_scores_an_identity_twice_and_scores_each_generation_in_one_call():
    spy = SpyScorer(SPACE, distance_scorer(SPACE, TARGET))
    result = _evolve(spy, params={"generations": 60})
    assert len(spy.identities) == len(set(spy.identities)) == result.evaluated
    assert len(spy.calls) == result.generations + 1  # the initial population, then one per generation
    assert len(spy.calls[0]) == 64
    assert all(1 <= len(batch) <= 32 for batch in spy.calls[1:])


def test_same_seed_same_search_other_seed_other_search():
    first, second, other = (SpyScorer(SPACE, distance_scorer(SPACE, TARGET)) for _ in range(3))
    a = _evolve(first, seed=3)
    b = _evolve(second, seed=3)
    c = _evolve(other, seed=4)
    assert first.calls == second.calls
    assert [(x.identity, x.score) for x in a.top] == [(x.identity, x.score) for x in b.top]
    assert (a.evaluated, a.generations) == (b.evaluated, b.generations)
    assert first.calls[0] != other.calls[0]
    assert c.top  # the other seed searched too


def test_cells_over_the_budget_are_never_scored_nor_returned():
    spy = SpyScorer(SPACE, distance_scorer(SPACE, TARGET))
    limit = 8 * PARAMS_PER_BIT  # TARGET has 11 set bits: the optimum is out of reach
    result = _evolve(spy, max_params=limit)
    assert result.top
    assert all(c.params <= limit for c in result.top)
    assert all(sum(cell) <= 8 for batch in spy.calls for cell in batch)
    # the best within budget: 8 of TARGET's ones kept, nothing else set -> distance 3
    assert result.top[0].score == -3.0


def test_a_budget_only_one_cell_meets_returns_at_most_that_cell():
    spy = SpyScorer(SPACE, distance_scorer(SPACE, TARGET))
    result = _evolve(spy, max_flops=0)  # only the all-zero string costs nothing
    assert result.evaluated <= 1
    assert all(c.cell == (0,) * 16 for c in result.top)


def test_progress_is_reported_after_every_generation():
    seen: list[Progress] = []
    result = _evolve(distance_scorer(SPACE, TARGET), on_progress=seen.append)
    assert [p.generation for p in seen] == list(range(result.generations + 1))
    assert [p.evaluated for p in seen] == sorted(p.evaluated for p in seen)
    assert seen[-1].evaluated == result.evaluated
    best = [p.best_score for p in seen]
    assert best == sorted(best) and best[-1] == result.top[0].score


def test_should_stop_cancels_between_generations():
    spy = SpyScorer(SPACE, distance_scorer(SPACE, TARGET))
    reported: list[Progress] = []
    result = _evolve(spy, on_progress=reported.append, should_stop=lambda: len(reported) > 3)
    assert result.cancelled
    assert result.generations == 3
    assert len(spy.calls) == 4
    assert result.evaluated == reported[-1].evaluated
    assert result.top


def test_stop_before_start_scores_nothing():
    spy = SpyScorer(SPACE, distance_scorer(SPACE, TARGET))
    result = _evolve(spy, should_stop=lambda: True)
    assert (result.cancelled, result.evaluated, result.top, spy.calls) == (True, 0, [], [])


def test_small_space_runs_out_of_new_cells_and_ends_early():
    tiny = BitStringSpace(4)  # 16 strings, 10 distinct identities
    spy = SpyScorer(tiny, distance_scorer(tiny, (1, 0, 1, 1)))
    result = run_search("evolution", tiny, spy, top_k=20, seed=0, params={"population": 8})
    assert not result.cancelled
    assert result.generations < 500
    assert result.evaluated == len(set(spy.identities)) <= 10
    assert result.top[0].identity == tiny.identity((1, 0, 1, 1))
    assert np.isfinite([c.score for c in result.top]).all()
