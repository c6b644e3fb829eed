import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from service.search.topk import TopK

IDENTITIES = "abcdefgh"


@settings(max_examples=200, deadline=None)
@given(
    score_of=st.fixed_dictionaries({i: st.integers(-3, 3) for i in IDENTITIES}),
    batches=st.lists(st.lists(st.sampled_from(IDENTITIES), max_size=10), max_size=6),
    k=st.integers(1, 5),
)
def test_topk_equals_brute_force(score_of, batches, k):
    """Best k distinct identities (one identity, one score, as in a search); among equal scores the
    one offered first ranks first (within a batch, the better-scored are offered first)."""
    top = TopK(k)
    arrival: dict[str, int] = {}
    for batch in batches:
        for identity in sorted(batch, key=lambda i: -score_of[i]):
            arrival.setdefault(identity, len(arrival))
        scores = np.array([score_of[i] for i in batch], dtype=float)
        top.offer([f"cell-{i}" for i in batch], scores, identities=batch)
    expected = sorted(arrival, key=lambda i: (-score_of[i], arrival[i]))[:k]
    assert top.ranked() == [(f"cell-{i}", i, score_of[i]) for i in expected]
    assert top.best_score == (score_of[expected[0]] if expected else None)
