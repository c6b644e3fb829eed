"""Splits and labels: reproducible from (n, size, seed), counts and fractions agree, labels as documented."""

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import kendalltau

from trainer.data import label_of, load_labelled, split


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


def test_auxiliary_labels_are_the_same_cells_cheaper_budgets(nb101_path: Path, nb201_path: Path) -> None:
    nb101 = load_labelled("nb101", "cifar10", nb101_path.parent)
    assert nb101.aux_labels == ("val_accuracy@4", "val_accuracy@12", "val_accuracy@36")
    assert nb101.aux.shape == (len(nb101.cells), 3)
    # longer training ranks closer to the label: a check that the columns are the budgets named
    taus = [kendalltau(nb101.aux[:, j], nb101.y).statistic for j in range(3)]
    assert taus == sorted(taus) and taus[-1] > 0.5
    nb201 = load_labelled("nb201", "imagenet16-120", nb201_path.parent)
    assert nb201.aux_labels == ("e12_imagenet16_valid",) and nb201.aux.shape == (15_625, 1)
    head = nb201.head(10)
    assert len(head.cells) == 10 and head.aux.shape == (10, 1) and np.array_equal(head.y, nb201.y[:10])
