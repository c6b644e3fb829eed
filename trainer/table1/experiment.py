"""One Table-1 entry measured: fit the method on the entry's training cells, score every cell, and
compute Kendall tau on the held-out cells and on all cells; for an ensemble, also how well its spread
points at its rank errors on the held-out cells (``trainer.metrics.spread_calibration``)."""

import time
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np

from trainer.baselines import BASELINES, fit_baseline, params_scores
from trainer.data import LabelledCells, load_labelled, split
from trainer.ensemble import TrainedEnsemble, train_variant
from trainer.metrics import kendall_tau, spread_calibration
from trainer.table1.plan import DEFAULT_DATASET, Entry
from trainer.variants import get_variant

BASELINE_ENCODING = "renas-full"  # the fitted baselines read the same tensor as ReNAS-2/4/6


@dataclass(frozen=True)
class Measurement:
    """An entry's record: what the results file stores, one per line."""

    key: str
    space: str
    method: str
    size: float | int
    seed: int
    epochs: int
    label: str
    n_cells: int
    n_train: int
    n_held_out: int
    tau_held_out: float
    tau_all: float
    seconds: float
    finished_at: str
    dataset: str
    spread_calibration: float | None  # ensembles only; None for a single model or a baseline


def labelled(
    space: str, limit: int | None, data_dir: Path | None, dataset: str = DEFAULT_DATASET
) -> LabelledCells:
    """The space's labelled cells of ``dataset``, or only the table's first ``limit`` of them."""
    data = load_labelled(space, dataset, data_dir)
    return data if limit is None else data.head(limit)


@cache
def encoded(space: str, encoding: str, limit: int | None, data_dir: Path | None) -> np.ndarray:
    """Every cell's tensor in ``encoding``, computed once per process."""
    return labelled(space, limit, data_dir).encode(encoding)


def fit_and_score(
    data: LabelledCells, entry: Entry, train: np.ndarray, x: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Fit ``entry.method`` on the training cells and return its score for every cell and, for an
    ensemble, its spread (``x``: every cell's tensor in the method's encoding; None for the params
    baseline, which reads no tensor)."""
    if entry.method == "params":
        return params_scores(entry.space, data.cells), None
    assert x is not None
    if entry.method in BASELINES:
        return fit_baseline(entry.method, x[train], data.y[train], seed=entry.seed).predict(x), None
    model = train_variant(
        x[train],
        data.y[train],
        variant=entry.method,
        epochs=entry.epochs,
        seed=entry.seed,
        aux=data.aux[train],
    )
    if isinstance(model, TrainedEnsemble):
        mean, spread = model.predict(x)
        return mean.astype(np.float64), spread.astype(np.float64)
    return model.predict(x).astype(np.float64), None


def encoding_of(method: str) -> str | None:
    if method == "params":
        return None
    return BASELINE_ENCODING if method in BASELINES else get_variant(method).encoding


def measure(
    entry: Entry, *, limit: int | None = None, data_dir: Path | None = None
) -> tuple[Measurement, np.ndarray]:
    """Measure one entry: its record and the scores of every cell."""
    data = labelled(entry.space, limit, data_dir, entry.dataset)
    encoding = encoding_of(entry.method)
    x = None if encoding is None else encoded(entry.space, encoding, limit, data_dir)
    train, held_out = split(len(data.cells), entry.size, entry.seed)
    start = time.perf_counter()
    scores, spread = fit_and_score(data, entry, train, x)
    seconds = time.perf_counter() - start
    fields = asdict(entry)
    record = Measurement(
        key=entry.key,
        **fields,
        label=data.label,
        n_cells=len(data.cells),
        n_train=len(train),
        n_held_out=len(held_out),
        tau_held_out=kendall_tau(data.y[held_out], scores[held_out]),
        tau_all=kendall_tau(data.y, scores),
        seconds=round(seconds, 3),
        finished_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        spread_calibration=None
        if spread is None
        else spread_calibration(data.y[held_out], scores[held_out], spread[held_out]),
    )
    return record, scores
