from search_toys import PARAMS_PER_BIT, BitStringSpace, SpyScorer, distance_scorer

from service.search import Progress, run_search

SPACE = BitStringSpace(10)
TARGET = (1, 0, 1, 1, 0, 0, 1, 1, 1, 0)


def _true_top(k: int, max_ones: int = 10) -> list[tuple[str, float]]:
    """Brute force, independent of the search code: best distinct identities by score."""
    scorer = distance_scorer(SPACE, TARGET)
    cells = [c for c in SPACE.enumerate() if sum(c) <= max_ones]
    best: dict[str, float] = {}
    for cell, score in zip(cells, scorer(cells), strict=True):
        best[SPACE.identity(cell)] = float(score)
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:k]


def _ranked(result) -> list[tuple[str, float]]:
    return sorted(((c.identity, c.score) for c in result.top), key=lambda item: (-item[1], item[0]))


def test_returns_the_true_top_k_distinct_cells():
    spy = SpyScorer(SPACE, distance_scorer(SPACE, TARGET))
    result = run_search("exhaustive", SPACE, spy, top_k=12, params={"batch_size": 300})
    assert [c.score for c in result.top] == [s for _, s in _true_top(12)]
    # ties may be broken differently; the set of best scores and their identities must match
    top_score_ids = {i for i, s in _true_top(12) if s > result.top[-1].score}
    assert top_score_ids <= {c.identity for c in result.top}
    assert len({c.identity for c in result.top}) == 12
    assert result.evaluated == len(set(spy.identities)) == len(spy.identities) == 528  # (2**10 + 2**5) / 2
    assert result.generations == len(spy.calls) == 4  # ceil(1024 / 300) batches
    assert not result.cancelled


def test_collapses_isomorphic_duplicates():
    result = run_search("exhaustive", SPACE, distance_scorer(SPACE, TARGET), top_k=2)
    first, second = result.top
    assert first.identity == SPACE.identity(TARGET)
    assert second.identity != first.identity  # TARGET reversed has the same identity and score


def test_a_duplicate_free_enumeration_is_not_hashed_cell_by_cell():
    space = BitStringSpace(10, one_per_identity=True)
    spy = SpyScorer(space, distance_scorer(space, TARGET))
    result = run_search("exhaustive", space, spy, top_k=12, params={"batch_size": 100})
    calls_by_search = space.identity_calls
    assert [c.score for c in result.top] == [s for _, s in _true_top(12)]
    assert result.evaluated == len(spy.identities) == len(set(spy.identities)) == 528
    assert calls_by_search < 200  # the first batch of 100, then only cells entering the top-12 (528 scored)


def test_budget_filters_before_scoring():
    spy = SpyScorer(SPACE, distance_scorer(SPACE, TARGET))
    result = run_search("exhaustive", SPACE, spy, top_k=5, max_params=4 * PARAMS_PER_BIT)
    assert all(sum(cell) <= 4 for batch in spy.calls for cell in batch)
    assert result.evaluated == len({SPACE.identity(c) for c in SPACE.enumerate() if sum(c) <= 4})
    assert [c.score for c in result.top] == [s for _, s in _true_top(5, max_ones=4)]
    assert all(c.params <= 4 * PARAMS_PER_BIT for c in result.top)


def test_progress_and_cancellation_between_batches():
    reported: list[Progress] = []
    result = run_search(
        "exhaustive",
        SPACE,
        distance_scorer(SPACE, TARGET),
        params={"batch_size": 100},
        on_progress=reported.append,
        should_stop=lambda: len(reported) >= 2,
    )
    assert [p.generation for p in reported] == [0, 1]
    first_200 = {SPACE.identity(c) for _, c in zip(range(200), SPACE.enumerate(), strict=False)}
    assert reported[-1].evaluated == result.evaluated == len(first_200)
    assert result.cancelled and result.generations == 2
