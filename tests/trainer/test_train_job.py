"""The train job's choices at small N, its out-of-bag tau, and the variants the service may ask for."""

from typing import get_args

import numpy as np

from service.training.refits import REFIT_VARIANT
from service.training.schemas import Variant
from trainer.ensemble import bootstrap_indices, member_seed
from trainer.train import batch_size_for, epochs_for, train_predictor
from trainer.train_job import out_of_bag_tau
from trainer.variants import VARIANTS


def test_small_data_gets_small_batches_and_enough_steps() -> None:
    assert [batch_size_for(n) for n in (10, 100, 424, 20_000)] == [16, 16, 53, 1024]
    assert epochs_for(10) == 200  # one step per epoch: the most epochs
    assert epochs_for(424) == 188  # 8 steps per epoch, ~1,500 steps in all
    assert epochs_for(20_000) == 75


def test_out_of_bag_tau_scores_each_cell_by_members_that_never_saw_it() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((40, 1, 7, 7), dtype=np.float32)
    y = x.sum(axis=(1, 2, 3)).astype(np.float64)  # a label a linear-ish model learns
    samples = [bootstrap_indices(len(x), member_seed(0, i)) for i in range(3)]
    members = [
        train_predictor(x[s], y[s], variant="renas3", epochs=30, seed=i, batch_size=16)
        for i, s in enumerate(samples)
    ]
    tau = out_of_bag_tau(members, samples, x, y)
    assert tau is not None and tau > 0.3
    everything = [np.arange(len(x))] * 3  # no cell was left out: nothing to judge by
    assert out_of_bag_tau(members, everything, x, y) is None


def test_the_service_asks_only_for_single_model_variants_the_trainer_has() -> None:
    for name in get_args(Variant):
        assert name in VARIANTS and VARIANTS[name].members == 1, name  # the job makes the ensemble
    assert REFIT_VARIANT in get_args(Variant)
