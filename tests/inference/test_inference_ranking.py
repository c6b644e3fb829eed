"""The pure ranking functions."""

import numpy as np

from service.inference.ranking import first_occurrences, rank_order


def test_best_first_with_ties_in_input_order() -> None:
    assert rank_order(np.array([0.5, 2.0, 0.5, 1.0], dtype=np.float32)) == [1, 3, 0, 2]


def test_duplicates_point_to_the_first_cell_with_their_identity() -> None:
    assert first_occurrences(["a", "b", "a", "c", "b", "a"]) == [None, None, 0, None, 1, 0]
