"""Splits and labels: reproducible from (n, size, seed), counts and fractions agree, labels as documented."""

import numpy as np
import pytest

from trainer.data import label_of, split


def test_split_is_a_seeded_partition() -> None:
    train, held = split(100, 30, seed=4)
    assert len(train) == 30 and len(held) == 70
    assert np.array_equal(np.sort(np.concatenate([train, held])), np.arange(100))
    again, _ = split(100, 30, seed=4)
    assert np.array_equal(train, again) and not np.array_equal(train, split(100, 30, seed=5)[0])


def test_fraction_and_count_give_the_same_split() -> None:
    assert np.array_equal(split(20, 0.9, seed=1)[0], split(20, 18, seed=1)[0])


@pytest.mark.parametrize("size", [1, 100, 0.0001])
def test_impossible_sizes_are_named(size: float) -> None:
    with pytest.raises(ValueError, match="need 2 <= count < 100"):
        split(100, size, seed=0)


def test_labels() -> None:
    assert label_of("nb101", "cifar10") == "val_accuracy@108"
    assert label_of("nb201", "cifar10") == "cifar10_valid"
    assert label_of("nb201", "imagenet16-120") == "imagenet16_test"
    with pytest.raises(ValueError, match="no labels for space 'nb101' with dataset 'cifar100'"):
        label_of("nb101", "cifar100")
