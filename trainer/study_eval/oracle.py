"""The benchmark table as a user's training runs: what a study is told for a network, and what is
reported about it (NB201: told ``cifar10_valid``, reported ``cifar10_test``, and so on).

Values are per network (identity): relabelled copies of one NB201 cell are one network, whose table
rows differ only by training noise, so it is told their mean. NB101's pool is the shared table's
20,001 cells, one row per network already.
"""

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from service.spaces import get_space
from trainer.tables import NB101_FILE, NB201_FILE, data_path, load_nb101, load_nb201

NB201_TOLD_REPORTED: dict[str, tuple[str, str]] = {
    "cifar10": ("cifar10_valid", "cifar10_test"),
    "cifar100": ("cifar100_test", "cifar100_test"),
    "imagenet16-120": ("imagenet16_test", "imagenet16_test"),
}
NB101_LABEL = 108  # epochs: val_accuracy@108


@dataclass(frozen=True)
class Oracle:
    space: str
    dataset: str
    told: dict[str, float]  # identity -> the value a study is told (accuracy in %)
    reported: dict[str, float]  # identity -> the accuracy reported for it
    cells: dict[str, Hashable]  # identity -> one cell of that network
    pool: list[dict[str, Any]] | None  # a fixed pool of cells (JSON), or None: the whole space

    @property
    def optimum(self) -> str:
        """The identity with the highest told value."""
        return max(self.told, key=self.told.__getitem__)

    def rank(self, identity: str) -> int:
        """1 for the best told value of the table, 2 for the next, ..."""
        value = self.told[identity]
        return 1 + sum(v > value for v in self.told.values())


@cache
def nb201_oracle(dataset: str, data_dir: Path | None = None) -> Oracle:
    told_key, reported_key = NB201_TOLD_REPORTED[dataset]
    space = get_space("nb201")
    rows = load_nb201(data_path(NB201_FILE, data_dir))
    cells = [space.parse({"arch": r.arch_str}) for r in rows]
    told, reported = defaultdict(list), defaultdict(list)
    first: dict[str, Hashable] = {}
    for row, cell, identity in zip(rows, cells, space.identities(cells), strict=True):
        told[identity].append(row.metrics[told_key])
        reported[identity].append(row.metrics[reported_key])
        first.setdefault(identity, cell)
    return Oracle(
        "nb201",
        dataset,
        {k: float(np.mean(v)) for k, v in told.items()},
        {k: float(np.mean(v)) for k, v in reported.items()},
        first,
        None,
    )


@cache
def nb101_oracle(data_dir: Path | None = None) -> Oracle:
    space = get_space("nb101")
    records = load_nb101(data_path(NB101_FILE, data_dir))
    pool = [{"matrix": r.matrix, "ops": r.ops} for r in records]
    cells = [space.parse(obj) for obj in pool]
    identities = space.identities(cells)
    told = {i: 100.0 * r.val_accuracy[NB101_LABEL] for i, r in zip(identities, records, strict=True)}
    return Oracle("nb101", "cifar10", told, dict(told), dict(zip(identities, cells, strict=True)), pool)
