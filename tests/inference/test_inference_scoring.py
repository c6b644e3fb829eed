"""Scoring with a loaded model: an ensemble's spread beside its scores, none for a single model, the
same numbers whatever the batch size, and each distinct tensor run once."""

import json
from collections.abc import Hashable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from tiny_models import linear_weights, write_model

from service.inference.card import ModelCard
from service.inference.onnx_scoring import distinct_rows, score_cells, score_cells_with_spread
from service.inference.registry import LoadedModel, load_model
from service.spaces import get_space

CPU = ["CPUExecutionProvider"]
SEEDS = (11, 12, 13, 14)


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    folder = tmp_path_factory.mktemp("ensemble")
    write_model(folder, "nb201-ensemble", "nb201", dataset="cifar10", member_seeds=SEEDS)
    return load_model(folder / "nb201-ensemble.json", CPU)


def members_scores(cells: Sequence[Hashable], encoding: str) -> np.ndarray:
    """[n, K] scores of the ensemble's members, computed here in numpy."""
    x = get_space("nb201").encode(cells, encoding).reshape(len(cells), -1)
    return np.stack([x @ linear_weights(x.shape[1], seed)[:, 0] for seed in SEEDS], axis=1)


def test_ensemble_scores_come_with_the_members_spread(ensemble: LoadedModel) -> None:
    space = get_space("nb201")
    cells = space.sample(np.random.default_rng(0), 9)
    scores, spread = score_cells_with_spread(ensemble, space, cells, batch_size=4)
    each = members_scores(cells, ensemble.card.encoding)
    assert spread is not None and scores.dtype == spread.dtype == np.float32
    np.testing.assert_allclose(scores, each.mean(axis=1), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(spread, each.std(axis=1, ddof=0), rtol=1e-4, atol=1e-4)
    assert (spread > 0).all()
    np.testing.assert_array_equal(score_cells(ensemble, space, cells), scores)
    whole, whole_spread = score_cells_with_spread(ensemble, space, cells)
    np.testing.assert_array_equal(whole, scores)
    np.testing.assert_array_equal(whole_spread, spread)


class CountingSession:
    """An InferenceSession that records how many tensors each call runs."""

    def __init__(self, session: ort.InferenceSession) -> None:
        self.session, self.rows = session, []

    def run(self, outputs: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        self.rows.extend(len(x) for x in feeds.values())
        return self.session.run(outputs, feeds)


def test_cells_that_encode_alike_are_run_once(ensemble: LoadedModel) -> None:
    space = get_space("nb201")
    a, b = space.sample(np.random.default_rng(2), 2)
    counting = CountingSession(ensemble.session)
    model = replace(ensemble, session=counting)  # type: ignore[arg-type]
    cells = [a, b, a, a, b]
    scores, spread = score_cells_with_spread(model, space, cells, batch_size=4)
    assert counting.rows == [2, 1]  # [a, b, a, a] then [b]
    alone, alone_spread = score_cells_with_spread(ensemble, space, [a, b])
    np.testing.assert_array_equal(scores, alone[[0, 1, 0, 0, 1]])
    assert spread is not None and alone_spread is not None
    np.testing.assert_array_equal(spread, alone_spread[[0, 1, 0, 0, 1]])


def test_distinct_rows_keep_first_occurrences_in_order() -> None:
    x = np.array([[[3.0]], [[1.0]], [[3.0]], [[2.0]], [[1.0]]], dtype=np.float32)
    first, inverse = distinct_rows(x)
    np.testing.assert_array_equal(first, [0, 1, 3])
    np.testing.assert_array_equal(x[first][inverse], x)
    empty_first, empty_inverse = distinct_rows(np.zeros((0, 2, 2), dtype=np.float32))
    assert len(empty_first) == len(empty_inverse) == 0


def test_single_model_has_no_spread(models_dir: Path) -> None:
    model = load_model(models_dir / "nb201-c100.json", CPU)
    space = get_space("nb201")
    cells = space.sample(np.random.default_rng(1), 3)
    scores, spread = score_cells_with_spread(model, space, cells)
    assert spread is None
    np.testing.assert_array_equal(scores, score_cells(model, space, cells))


def test_cards_from_before_ensembles_still_load(models_dir: Path) -> None:
    fields = json.loads((models_dir / "nb101-tiny.json").read_text())
    older = {k: v for k, v in fields.items() if k not in {"spread_output", "members"}}
    card = ModelCard.model_validate(older)
    assert (card.spread_output, card.members) == (None, 1)
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        ModelCard.model_validate({**older, "members": 0})
