"""Which Table-1 entries to run, in which order, and with how many epochs."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from trainer.baselines import BASELINES
from trainer.data import train_count
from trainer.train import BATCH_SIZE, schedule_for
from trainer.variants import VARIANTS

METHODS: tuple[str, ...] = (*VARIANTS, *BASELINES)
DEFAULT_SIZES: dict[str, tuple[float | int, ...]] = {
    "nb101": (0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9),  # fractions of the 20,001 cells (the protocol)
    "nb201": (78, 156, 469, 781, 1563),  # cell counts (0.5% .. 10% of 15,625), as PINAT and TNASP report
}
# Table 1's labels; its keys and file names stay as they were before other datasets, so earlier runs resume.
DEFAULT_DATASET = "cifar10"


@dataclass(frozen=True)
class Entry:
    """One Table-1 measurement to make."""

    space: str
    method: str
    size: float | int  # a fraction (0, 1) or a cell count (int >= 2), as ``split`` takes it
    seed: int
    epochs: int
    dataset: str = DEFAULT_DATASET  # whose labels (NB201: cifar10, cifar100 or imagenet16-120)

    @property
    def key(self) -> str:
        key = f"{self.space}|{self.method}|{self.size!r}|{self.seed}|{self.epochs}"
        return key if self.dataset == DEFAULT_DATASET else f"{key}|{self.dataset}"

    @property
    def stem(self) -> str:
        stem = f"{self.space}-{self.method}-{self.size!r}-s{self.seed}-e{self.epochs}"
        return stem if self.dataset == DEFAULT_DATASET else f"{stem}-{self.dataset}"


def parse_size(text: str) -> float | int:
    """'0.01' -> fraction 0.01; '78' -> 78 cells; ValueError otherwise."""
    value = float(text)
    if 0 < value < 1:
        return value
    if value >= 2 and value == int(value):
        return int(value)
    raise ValueError(f"size {text!r} must be a fraction in (0, 1) or a cell count >= 2")


def size_label(size: float | int) -> str:
    return f"{size * 100:g}%" if isinstance(size, float) else str(size)


def capped_epochs(n_train: int, epochs: int, max_steps: int | None, batch_size: int = BATCH_SIZE) -> int:
    """Epochs for ``n_train`` cells when training may take at most ``max_steps`` optimiser steps.

    The cap keeps a whole grid affordable: at the paper's 200 epochs, steps grow with the training set
    (90% of NB101 is 18 batches an epoch), so a capped run stops after the first epoch that reaches it.
    """
    if max_steps is None:
        return epochs
    batches = math.ceil(n_train / batch_size)
    return max(1, min(epochs, math.ceil(max_steps / batches)))


def plan(
    space: str,
    methods: Sequence[str],
    sizes: Sequence[float | int],
    seeds: Sequence[int],
    epochs: int,
    *,
    n_cells: int | None = None,
    max_steps: int | None = None,
    dataset: str = DEFAULT_DATASET,
) -> list[Entry]:
    """Entries in the order they run: smaller sizes first, then seed by seed, every method within a seed.

    So a run cut short leaves whole sizes done and, within the size it was on, the same seeds for all methods.
    With ``max_steps`` (which needs ``n_cells``), a trained method's epochs are ``capped_epochs`` of its
    training-set size; baselines do not train by epochs and keep ``epochs`` in their key. A variant with
    the small-data schedule (which also needs ``n_cells``) takes that schedule's epochs, ``epochs`` and
    ``max_steps`` aside.
    """
    small_data = [m for m in methods if m in VARIANTS and VARIANTS[m].schedule == "small-data"]
    if (max_steps is not None or small_data) and n_cells is None:
        raise ValueError("max_steps and small-data variants need n_cells to know each training-set size")

    def method_epochs(method: str, size: float | int) -> int:
        if method in small_data:
            return schedule_for(VARIANTS[method], train_count(n_cells, size))[0]
        if max_steps is None or method not in VARIANTS:
            return epochs
        return capped_epochs(train_count(n_cells, size), epochs, max_steps)

    return [
        Entry(space, method, size, seed, method_epochs(method, size), dataset)
        for size in sizes
        for seed in seeds
        for method in methods
    ]
