"""Labelled cells from the benchmark tables, and the train / held-out splits the trainer uses.

Labels (see ../shared/data/README.md):
- nb101 / cifar10: ``val_accuracy@108``, validation accuracy after the 108-epoch budget (one run);
- nb201 / cifar10: ``cifar10_valid``, 200-epoch validation accuracy on the train/valid split;
- nb201 / cifar100 and imagenet16-120: 200-epoch *test* accuracy (``cifar100_test``,
  ``imagenet16_test``): the table has no 200-epoch validation accuracy for them.

Auxiliary labels, the same cells' accuracies after cheaper training budgets, which a variant with an
auxiliary loss learns beside the label (``trainer.variants.Variant.aux_weight``):
- nb101: ``val_accuracy@4``, ``@12`` and ``@36``;
- nb201: the dataset's 12-epoch validation accuracy (``e12_<dataset>_valid``).
"""

from collections.abc import Hashable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from service.spaces import SPACES, Space, get_space
from trainer.tables import NB101_FILE, NB201_FILE, data_path, load_nb101, load_nb201

DATASETS: dict[str, tuple[str, ...]] = {name: entry.datasets for name, entry in SPACES.items()}
NB201_LABELS = {"cifar10": "cifar10_valid", "cifar100": "cifar100_test", "imagenet16-120": "imagenet16_test"}
NB101_LABEL = "val_accuracy@108"
NB101_AUX_EPOCHS = (4, 12, 36)
NB201_AUX_LABELS = {
    "cifar10": "e12_cifar10_valid",
    "cifar100": "e12_cifar100_valid",
    "imagenet16-120": "e12_imagenet16_valid",
}


@dataclass(frozen=True)
class LabelledCells:
    space: str
    dataset: str
    label: str  # the card's label, e.g. "val_accuracy@108" or "cifar100_test"
    data_file: str  # the table the labels came from
    cells: list[Hashable]
    y: np.ndarray  # float64 label per cell, in the table's units
    aux: np.ndarray  # (cells, k) float64 auxiliary labels per cell (cheaper budgets), in the table's units
    aux_labels: tuple[str, ...]  # their names, one per column of ``aux``

    def head(self, limit: int) -> "LabelledCells":
        """The table's first ``limit`` cells (quick runs and tests)."""
        return replace(self, cells=self.cells[:limit], y=self.y[:limit], aux=self.aux[:limit])

    def encode(self, encoding: str, index: np.ndarray | None = None) -> np.ndarray:
        """Tensors of all cells (or of ``index``) in the space's ``encoding``."""
        cells = self.cells if index is None else [self.cells[i] for i in index]
        return get_space(self.space).encode(cells, encoding)


def label_of(space: str, dataset: str) -> str:
    if dataset not in DATASETS.get(space, ()):
        known = ", ".join(f"{s}: {'/'.join(d)}" for s, d in DATASETS.items())
        raise ValueError(f"no labels for space {space!r} with dataset {dataset!r}; known: {known}")
    return NB101_LABEL if space == "nb101" else NB201_LABELS[dataset]


@cache
def _load(space: str, dataset: str, path: Path) -> LabelledCells:
    label = label_of(space, dataset)
    sp: Space = get_space(space)
    if space == "nb101":
        records = load_nb101(path)
        cells = [sp.parse({"matrix": r.matrix, "ops": r.ops}) for r in records]
        y = np.array([r.val_accuracy[108] for r in records], dtype=np.float64)
        aux_labels = tuple(f"val_accuracy@{e}" for e in NB101_AUX_EPOCHS)
        aux = np.array([[r.val_accuracy[e] for e in NB101_AUX_EPOCHS] for r in records], dtype=np.float64)
    else:
        rows = load_nb201(path)
        cells = [sp.parse({"arch": r.arch_str}) for r in rows]
        y = np.array([r.metrics[label] for r in rows], dtype=np.float64)
        aux_labels = (NB201_AUX_LABELS[dataset],)
        aux = np.array([[r.metrics[aux_labels[0]]] for r in rows], dtype=np.float64)
    return LabelledCells(space, dataset, label, path.name, cells, y, aux, aux_labels)


def load_labelled(space: str, dataset: str = "cifar10", data_dir: Path | None = None) -> LabelledCells:
    """Every labelled cell of a benchmark table, in table order (cached per file)."""
    label_of(space, dataset)
    name = NB101_FILE if space == "nb101" else NB201_FILE
    return _load(space, dataset, data_path(name, data_dir).resolve())


def train_count(n: int, train: float | int) -> int:
    """How many of ``n`` cells ``split`` trains on: ``train`` is a count (int >= 1) or a fraction (0, 1)."""
    count = int(train) if isinstance(train, int) or train >= 1 else round(train * n)
    if not 2 <= count < n:
        raise ValueError(f"train size {train!r} gives {count} of {n} cells; need 2 <= count < {n}")
    return count


def split(n: int, train: float | int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, held-out) indices of a random split: ``train`` is a count (int >= 1) or a fraction (0, 1)."""
    count = train_count(n, train)
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[:count]), np.sort(order[count:])
