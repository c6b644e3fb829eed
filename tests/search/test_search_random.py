from search_toys import PARAMS_PER_BIT, BitStringSpace, SpyScorer, distance_scorer

from service.search import run_search

SPACE = BitStringSpace(16)
TARGET = (1,) * 16


def test_scores_exactly_budget_distinct_cells_in_batches():
    spy = SpyScorer(SPACE, distance_scorer(SPACE, TARGET))
    result = run_search("random", SPACE, spy, top_k=3, seed=1, params={"budget": 500, "batch_size": 64})
    assert result.evaluated == 500 == len(set(spy.identities)) == len(spy.identities)
    assert all(len(batch) <= 64 for batch in spy.calls)
    assert result.generations == len(spy.calls)
    best = max(distance_scorer(SPACE, TARGET)([c for batch in spy.calls for c in batch]))
    assert result.top[0].score == best


def test_seeded_and_reproducible():
    runs = [SpyScorer(SPACE, distance_scorer(SPACE, TARGET)) for _ in range(3)]
    for spy, seed in zip(runs, (5, 5, 6), strict=True):
        run_search("random", SPACE, spy, seed=seed, params={"budget": 100})
    assert runs[0].calls == runs[1].calls != runs[2].calls


def test_respects_the_budget_and_ends_when_the_space_runs_dry():
    tiny = BitStringSpace(4)  # 10 distinct identities, 7 with at most 2 set bits
    spy = SpyScorer(tiny, distance_scorer(tiny, (1, 1, 0, 0)))
    result = run_search("random", tiny, spy, top_k=10, seed=0, max_params=2 * PARAMS_PER_BIT)
    assert result.evaluated == len(result.top) == 7  # 0000 0001 0010 0011 0101 0110 1001, up to reversal
    assert all(sum(cell) <= 2 for batch in spy.calls for cell in batch)
    assert not result.cancelled


def test_cancelled_search_returns_what_it_found():
    calls = iter(range(100))
    result = run_search(
        "random",
        SPACE,
        distance_scorer(SPACE, TARGET),
        seed=0,
        params={"budget": 1000, "batch_size": 10},
        should_stop=lambda: next(calls) >= 3,
    )
    assert result.cancelled and result.evaluated == 30 and len(result.top) == 10
