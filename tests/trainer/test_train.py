"""train_predictor: seeded determinism, input validation, and that training actually learns an order."""

import numpy as np
import pytest
import torch

from trainer.metrics import kendall_tau
from trainer.train import schedule_for, train_predictor
from trainer.variants import VARIANTS, get_variant


def toy(n: int = 48, shape: tuple[int, int, int] = (19, 7, 7)) -> tuple[np.ndarray, np.ndarray]:
    """Random tensors labelled by a linear function of the last channel: LeNet learns it in a few epochs."""
    x = np.random.default_rng(1).random((n, *shape), dtype=np.float32)
    return x, x[:, -1].sum(axis=(1, 2)).astype(np.float64)


def test_same_seed_same_model() -> None:
    x, y = toy()
    a = train_predictor(x, y, variant="renas6", epochs=3, seed=7, batch_size=16).predict(x)
    b = train_predictor(x, y, variant="renas6", epochs=3, seed=7, batch_size=16).predict(x)
    np.testing.assert_array_equal(a, b)


def test_other_seed_other_model() -> None:
    x, y = toy()
    a = train_predictor(x, y, variant="renas4", epochs=2, seed=0).predict(x)
    b = train_predictor(x, y, variant="renas4", epochs=2, seed=1).predict(x)
    assert not np.array_equal(a, b)


def test_training_leaves_global_rng_alone() -> None:
    x, y = toy()
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    train_predictor(x, y, variant="renas2", epochs=1)
    assert torch.equal(before, torch.random.get_rng_state())


@pytest.mark.parametrize("variant", ["renas2", "renas4", "renas6"])
def test_training_learns_the_order(variant: str) -> None:
    x, y = toy(64)
    model = train_predictor(x, y, variant=variant, epochs=40, batch_size=32)
    assert kendall_tau(y, model.predict(x)) > 0.6


def test_every_variant_trains_on_nb201_shaped_input() -> None:
    for name, variant in VARIANTS.items():
        channels = 1 if variant.encoding == "renas-type" else 7
        x, y = toy(8, (channels, 8, 8))
        scores = train_predictor(x, y, variant=name, aux=y[:, None], epochs=1).predict(x)
        assert scores.shape == (8,) and np.isfinite(scores).all(), name


def test_bad_inputs_are_named() -> None:
    x, y = toy()
    with pytest.raises(ValueError, match="48 cells but y has 3 labels"):
        train_predictor(x, y[:3], variant="renas6", epochs=1)
    with pytest.raises(KeyError, match="unknown variant 'renas7'"):
        train_predictor(x, y, variant="renas7", epochs=1)
    with pytest.raises(ValueError, match=r"\(n, C, H, W\)"):
        train_predictor(x[:, 0], y, variant="renas6", epochs=1)


def test_a_variants_schedule_sets_the_batch_and_epochs_the_caller_leaves_out() -> None:
    assert schedule_for(get_variant("gnn-pair"), 424) == (200, 1024)  # the paper's
    assert schedule_for(get_variant("gnn-pair-sb"), 424) == (188, 53)
    assert schedule_for(get_variant("gnn-pair-sb"), 20_000) == (75, 1024)


def test_an_auxiliary_variant_learns_the_cheaper_labels_through_a_head_it_does_not_keep() -> None:
    x, y = toy(48, (7, 8, 8))
    aux = np.random.default_rng(2).random((48, 2))  # an order of its own: it must change the training
    plain = train_predictor(x, y, variant="gnn-pair", epochs=3, batch_size=16)
    with_aux = train_predictor(x, y, variant="gnn-pair-aux", aux=aux, epochs=3, batch_size=16)
    assert not np.array_equal(plain.predict(x), with_aux.predict(x))
    # the same network as the plain variant's: the auxiliary head is not part of what is exported
    shapes = [p.shape for p in plain.module.parameters()]
    assert [p.shape for p in with_aux.module.parameters()] == shapes
    ignored = train_predictor(x, y, variant="gnn-pair", aux=aux, epochs=3, batch_size=16)
    np.testing.assert_array_equal(ignored.predict(x), plain.predict(x))


def test_an_auxiliary_variant_needs_its_labels() -> None:
    x, y = toy(16, (7, 8, 8))
    with pytest.raises(ValueError, match="'path-pair-aux' also learns cheaper budgets"):
        train_predictor(x, y, variant="path-pair-aux", epochs=1)
    with pytest.raises(ValueError, match=r"aux must be \(cells, k >= 1\) labels for 16 cells"):
        train_predictor(x, y, variant="path-pair-aux", aux=y[:8, None], epochs=1)
