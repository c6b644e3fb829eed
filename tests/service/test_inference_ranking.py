"""The pure ranking function."""

import numpy as np

from service.inference.ranking import RankEntry, rank


def test_best_first_ties_in_input_order_duplicates_point_to_first() -> None:
    scores = np.array([0.5, 2.0, 0.5, 1.0], dtype=np.float32)
    assert rank(scores, ["a", "b", "a", "c"]) == [
        RankEntry(index=1, rank=1, duplicate_of=None),
        RankEntry(index=3, rank=2, duplicate_of=None),
        RankEntry(index=0, rank=3, duplicate_of=None),
        RankEntry(index=2, rank=4, duplicate_of=0),
    ]
