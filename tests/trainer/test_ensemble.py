"""train_ensemble: the member seed rule, bootstrap resamples, mean and spread, and the one-member case."""

import numpy as np
import pytest
import torch

from trainer.ensemble import (
    EnsembleModule,
    TrainedEnsemble,
    bootstrap_indices,
    member_seed,
    resamples,
    train_ensemble,
)
from trainer.train import train_predictor


def toy(n: int = 32) -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(2).random((n, 19, 7, 7), dtype=np.float32)
    return x, x[:, -1].sum(axis=(1, 2)).astype(np.float64)


@pytest.fixture(scope="module")
def ensemble() -> TrainedEnsemble:
    x, y = toy()
    return train_ensemble(x, y, variant="renas6", members=3, epochs=2, seed=4, batch_size=16)


def test_one_member_without_bootstrap_is_train_predictor() -> None:
    x, y = toy()
    single = train_predictor(x, y, variant="renas2", epochs=2, seed=member_seed(3, 0), batch_size=16)
    one = train_ensemble(x, y, variant="renas2", members=1, epochs=2, seed=3, bootstrap=False, batch_size=16)
    mean, spread = one.predict(x)
    np.testing.assert_array_equal(mean, single.predict(x))
    np.testing.assert_array_equal(spread, np.zeros(len(x), np.float32))
    for (name, a), (_, b) in zip(
        one.members[0].module.state_dict().items(), single.module.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name


def test_members_follow_the_seed_rule(ensemble: TrainedEnsemble) -> None:
    assert [m.seed for m in ensemble.members] == [4000, 4001, 4002]
    assert (ensemble.seed, ensemble.epochs, ensemble.cells, ensemble.input_shape) == (4, 2, 32, (19, 7, 7))
    assert ensemble.variant.name == "renas6" and len(ensemble.module.members) == 3


def test_mean_and_spread_are_the_members_mean_and_population_std(ensemble: TrainedEnsemble) -> None:
    x, _ = toy()
    each = np.stack([m.predict(x) for m in ensemble.members], axis=1)
    mean, spread = ensemble.predict(x)
    assert mean.shape == spread.shape == (len(x),) and mean.dtype == spread.dtype == np.float32
    np.testing.assert_allclose(mean, each.mean(axis=1), atol=1e-5)
    np.testing.assert_allclose(spread, each.std(axis=1, ddof=0), atol=1e-5)
    assert (spread >= 0).all() and spread.max() > 0


def test_predict_batches_and_takes_no_cells(ensemble: TrainedEnsemble) -> None:
    x, _ = toy()
    whole, small = ensemble.predict(x), ensemble.predict(x, batch_size=5)
    for a, b in zip(whole, small, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert [a.shape for a in ensemble.predict(x[:0])] == [(0,), (0,)]


def test_same_module_members_have_zero_spread() -> None:
    x, y = toy()
    module = train_predictor(x, y, variant="renas6", epochs=1).module
    mean, spread = EnsembleModule([module] * 3)(torch.from_numpy(x))
    assert torch.equal(spread, torch.zeros(len(x)))
    torch.testing.assert_close(mean, module(torch.from_numpy(x))[0])


def test_bootstrap_resamples_are_seeded_and_keep_two_cells() -> None:
    np.testing.assert_array_equal(bootstrap_indices(50, 7), bootstrap_indices(50, 7))
    assert not np.array_equal(bootstrap_indices(50, 7), bootstrap_indices(50, 8))
    assert all(len(np.unique(bootstrap_indices(2, seed))) == 2 for seed in range(20))
    with pytest.raises(ValueError, match="at least 2"):
        bootstrap_indices(1, 0)


def test_bootstrap_members_differ_from_all_cell_members() -> None:
    x, y = toy()
    kwargs = {"variant": "renas2", "members": 2, "epochs": 1, "seed": 0}
    resampled = train_ensemble(x, y, **kwargs).predict(x)
    everything = train_ensemble(x, y, bootstrap=False, **kwargs).predict(x)
    assert not np.array_equal(resampled[0], everything[0])


def test_bad_arguments_are_named() -> None:
    x, y = toy()
    with pytest.raises(ValueError, match="1 to 1000 members, got 0"):
        train_ensemble(x, y, variant="renas6", members=0, epochs=1, seed=0)
    with pytest.raises(ValueError, match="32 cells but y has 3 labels"):
        train_ensemble(x, y[:3], variant="renas6", members=2, epochs=1, seed=0)


def test_resamples_are_each_members_bootstrap_or_every_cell() -> None:
    drawn = resamples(30, 2, 3)
    assert [d.tolist() for d in drawn] == [
        bootstrap_indices(30, member_seed(2, i)).tolist() for i in range(3)
    ]
    assert all(len(set(d.tolist())) < 30 for d in drawn)  # a resample repeats some cells, misses others
    every = resamples(30, 2, 3, bootstrap=False)
    assert len(every) == 3 and all(d.tolist() == list(range(30)) for d in every)
