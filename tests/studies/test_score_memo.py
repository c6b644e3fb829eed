"""The score memo: a model scores each cell once; other models, and spreads, are kept apart."""

import numpy as np
import pytest

from service.studies import predictor
from service.studies.predictor import ScoreMemo


class Counting:
    """A predictor that records which cells it was asked to score."""

    def __init__(self, spread: bool = True) -> None:
        self.calls: list[list[int]] = []
        self.spread = spread

    def __call__(self, cells: list[int]) -> tuple[np.ndarray, np.ndarray | None]:
        self.calls.append(list(cells))
        mean = np.array([float(c) for c in cells])
        return mean, (mean / 10 if self.spread else None)


def test_a_model_scores_each_cell_once_and_answers_in_the_order_asked() -> None:
    memo, predict = ScoreMemo(), Counting()
    mean, spread = memo.score("m", predict, [3, 1, 2, 3])
    assert mean.tolist() == [3, 1, 2, 3] and spread.tolist() == pytest.approx([0.3, 0.1, 0.2, 0.3])
    mean, _ = memo.score("m", predict, [2, 5, 1])
    assert mean.tolist() == [2, 5, 1]
    assert predict.calls == [[3, 1, 2], [5]]  # duplicates and remembered cells are not scored again


def test_models_are_apart_and_a_model_without_spread_has_none() -> None:
    memo, with_spread, without = ScoreMemo(), Counting(), Counting(spread=False)
    memo.score("a", with_spread, [1, 2])
    _, spread = memo.score("b", without, [1, 2])
    assert spread is None and without.calls == [[1, 2]]


def test_the_memo_forgets_old_models_and_starts_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(predictor, "MEMO_MODELS", 2)
    monkeypatch.setattr(predictor, "MEMO_CELLS", 4)
    memo, predict = ScoreMemo(), Counting()
    for model in ("a", "b", "c"):
        memo.score(model, predict, [1])
    memo.score("a", predict, [1])  # "a" was forgotten: scored again
    assert predict.calls == [[1], [1], [1], [1]]
    memo.score("a", predict, [2, 3, 4])  # 1 + 3 cells fit
    memo.score("a", predict, [5, 6])  # full: starts again with these
    memo.score("a", predict, [5, 6])
    assert predict.calls[-2:] == [[2, 3, 4], [5, 6]]
    assert memo.score("a", predict, list(range(10)))[0].tolist() == list(range(10))  # too many: direct
