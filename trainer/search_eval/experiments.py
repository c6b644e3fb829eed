"""One repeat of each search experiment: train a predictor, search with it, judge what it found.

- NAS-Bench-201: train a variant on a few random cells, search all 15,625 cells exhaustively with it,
  and look up the true accuracies of its top-k; beside it, random search that queries as many cells
  (training cells + top-k) and "more parameters is better" as the scorer.
- NAS-Bench-101: train on a few labelled cells, rank every other labelled cell, and look up the true
  accuracy of the predicted top-k (and its percentile); beside it, the best of as many random
  labelled cells. Then an evolutionary search over the whole space with one predictor, whose top-k is
  looked up by module hash where the (partial) table has it.

Every function returns a dataclass; the commands store them as JSON (``dataclasses.asdict``).
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import percentileofscore

from service.search import Candidate, Progress, make_scorer, run_search
from service.spaces import get_space
from trainer.data import load_labelled, split
from trainer.metrics import kendall_tau
from trainer.nb201_index import benchmark_index
from trainer.tables import NB101_FILE, NB201_FILE, data_path, load_nb101, load_nb201
from trainer.train import TrainedModel, train_predictor
from trainer.variants import get_variant

# Columns judged per dataset: (validation, test). Only CIFAR-10 has a 200-epoch validation accuracy;
# the others use the benchmark's 12-epoch validation accuracy (see ../shared/data/README.md).
NB201_COLUMNS: dict[str, tuple[str, str]] = {
    "cifar10": ("cifar10_valid", "cifar10_test"),
    "cifar100": ("e12_cifar100_valid", "cifar100_test"),
    "imagenet16-120": ("e12_imagenet16_valid", "imagenet16_test"),
}
NB201_METRICS = ("best_valid", "best_test", "test_of_best_valid")
NB101_METRICS = ("best_top", "best_top_percentile", "tau_held_out", "random_best", "random_best_percentile")


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, best first (ties: the earlier position first)."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")[:k]


def best_of_top(scores: np.ndarray, truth: np.ndarray, k: int) -> float:
    """The highest true value among the k best-scored cells: what a user who trains the predicted
    top-k would end up with."""
    if len(scores) != len(truth):
        raise ValueError(f"{len(scores)} scores but {len(truth)} true values")
    if k < 1 or len(scores) == 0:
        raise ValueError(f"need k >= 1 and at least one cell, got k={k} and {len(scores)} cells")
    return float(np.max(np.asarray(truth, dtype=np.float64)[top_indices(scores, k)]))


# ---- NAS-Bench-201 (Table 5) ---------------------------------------------------------------------


@dataclass(frozen=True)
class NB201Pick:
    """A set of cells a method picked, judged by the table: best validation, best test, and the test
    accuracy of the best-by-validation cell."""

    seed: int | None
    best_valid: float
    best_test: float
    test_of_best_valid: float
    queried: int  # cells whose accuracy the method needed: training cells + the top-k it returns


@dataclass(frozen=True)
class NB201TopCell:
    index: int
    arch: str
    score: float
    valid: float
    test: float


@dataclass(frozen=True)
class NB201PredictorRun(NB201Pick):
    evaluated: int
    train_seconds: float
    search_seconds: float
    top: list[NB201TopCell]


def judge(seed: int | None, valid: np.ndarray, test: np.ndarray, queried: int) -> NB201Pick:
    pick = int(np.argmax(valid))
    return NB201Pick(seed, float(valid.max()), float(test.max()), float(test[pick]), queried)


@cache
def nb201_truth(dataset: str, data_dir: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """(validation, test) accuracy of every cell, in benchmark index order (read once per dataset)."""
    records = load_nb201(data_path(NB201_FILE, data_dir))
    valid_col, test_col = NB201_COLUMNS[dataset]
    return (
        np.array([r.metrics[valid_col] for r in records], dtype=np.float64),
        np.array([r.metrics[test_col] for r in records], dtype=np.float64),
    )


def _positions(data_dir: Path | None) -> dict[Any, int]:
    return benchmark_index(data_path(NB201_FILE, data_dir)).positions


def nb201_predictor_repeat(
    dataset: str, variant: str, seed: int, *, train_cells: int, epochs: int, top_k: int, data_dir: Path | None
) -> NB201PredictorRun:
    """Train on ``train_cells`` random cells, exhaustively search all cells, judge the top-k."""
    data = load_labelled("nb201", dataset, data_dir)
    spec = get_variant(variant)
    train, _ = split(len(data.cells), train_cells, seed)
    start = time.perf_counter()
    model = train_predictor(
        data.encode(spec.encoding, train), data.y[train], variant=variant, epochs=epochs, seed=seed
    )
    trained = time.perf_counter()
    space = get_space("nb201")
    result = run_search("exhaustive", space, make_scorer(space, model.predict, spec.encoding), top_k=top_k)
    valid, test = nb201_truth(dataset, data_dir)
    rows = [_positions(data_dir)[c.cell] for c in result.top]
    judged = judge(seed, valid[rows], test[rows], train_cells + len(rows))
    return NB201PredictorRun(
        **vars(judged),
        evaluated=result.evaluated,
        train_seconds=trained - start,
        search_seconds=result.wall_seconds,
        top=[
            NB201TopCell(i, c.cell.to_string(), c.score, float(valid[i]), float(test[i]))
            for c, i in zip(result.top, rows, strict=True)
        ],
    )


def nb201_params_baseline(dataset: str, *, top_k: int, data_dir: Path | None) -> NB201Pick:
    """Exhaustive search with "more parameters is better" as the scorer: the prior a predictor must beat."""
    space = get_space("nb201")
    valid, test = nb201_truth(dataset, data_dir)
    result = run_search("exhaustive", space, lambda cells: space.cost(cells)[0], top_k=top_k)
    rows = [_positions(data_dir)[c.cell] for c in result.top]
    return judge(None, valid[rows], test[rows], len(rows))


def nb201_random_repeat(dataset: str, seed: int, *, budget: int, data_dir: Path | None) -> NB201Pick:
    """Random search over distinct networks, ``budget`` of them queried for their true validation accuracy."""
    valid, test = nb201_truth(dataset, data_dir)
    positions = _positions(data_dir)

    def oracle(cells: Sequence[Any]) -> np.ndarray:
        return valid[[positions[c] for c in cells]]

    result = run_search(
        "random",
        get_space("nb201"),
        oracle,
        top_k=budget,
        seed=seed,
        params={"budget": budget, "batch_size": budget},
    )
    rows = [positions[c.cell] for c in result.top]
    return judge(seed, valid[rows], test[rows], len(rows))


# ---- NAS-Bench-101 (Table 2) ---------------------------------------------------------------------


@dataclass(frozen=True)
class NB101Run:
    seed: int
    best_top: float  # best true accuracy (%) among the predicted top-k of the held-out cells
    best_top_percentile: float
    tau_held_out: float
    random_best: float  # best of as many random labelled cells as the predictor needed
    random_best_percentile: float
    queried: int
    ranked: int
    top_accuracies: list[float]
    train_seconds: float
    rank_seconds: float


def nb101_repeat(
    variant: str, seed: int, *, train_cells: int, epochs: int, top_k: int, data_dir: Path | None
) -> tuple[NB101Run, TrainedModel]:
    """Train on ``train_cells`` labelled cells, rank the rest, judge the top-k; random pick of as many."""
    data = load_labelled("nb101", "cifar10", data_dir)
    spec = get_variant(variant)
    accuracy = data.y * 100.0
    train, held = split(len(data.cells), train_cells, seed)
    start = time.perf_counter()
    model = train_predictor(
        data.encode(spec.encoding, train), data.y[train], variant=variant, epochs=epochs, seed=seed
    )
    trained = time.perf_counter()
    scores = model.predict(data.encode(spec.encoding, held))
    ranked = time.perf_counter()
    best = best_of_top(scores, accuracy[held], top_k)
    picked = np.random.default_rng(seed).choice(len(accuracy), size=train_cells + top_k, replace=False)
    random_best = float(accuracy[picked].max())
    run = NB101Run(
        seed=seed,
        best_top=best,
        best_top_percentile=float(percentileofscore(accuracy, best, kind="weak")),
        tau_held_out=kendall_tau(accuracy[held], scores),
        random_best=random_best,
        random_best_percentile=float(percentileofscore(accuracy, random_best, kind="weak")),
        queried=train_cells + top_k,
        ranked=len(held),
        top_accuracies=[float(a) for a in accuracy[held][top_indices(scores, top_k)]],
        train_seconds=trained - start,
        rank_seconds=ranked - trained,
    )
    return run, model


@dataclass(frozen=True)
class EvolvedCell:
    hash: str
    score: float
    params: int
    flops: int
    val_accuracy: float | None  # None where the 20,001-cell table does not hold the cell
    percentile: float | None
    cell: dict[str, Any]


@dataclass(frozen=True)
class NB101Evolution:
    seed: int
    population: int
    generations: int
    evaluated: int
    wall_seconds: float
    in_table: int
    # Did the search find cells the predictor rates above the labelled ones? (judged by its own scores)
    labelled_best_score: float
    labelled_at_least_last_top: int
    top: list[EvolvedCell]


def nb101_evolution(
    model: TrainedModel,
    *,
    seed: int,
    population: int,
    generations: int,
    top_k: int,
    data_dir: Path | None,
    on_progress: Callable[[Progress], None] | None = None,
) -> NB101Evolution:
    """Evolutionary search of the whole space with ``model``; top-k looked up in the table by hash."""
    space = get_space("nb101")
    result = run_search(
        "evolution",
        space,
        make_scorer(space, model.predict, model.variant.encoding),
        top_k=top_k,
        seed=seed,
        params={"population": population, "generations": generations},
        on_progress=on_progress,
    )
    table = {r.hash: r.val_accuracy[108] * 100.0 for r in load_nb101(data_path(NB101_FILE, data_dir))}
    all_accuracy = np.fromiter(table.values(), dtype=np.float64)

    def evolved(c: Candidate) -> EvolvedCell:
        acc = table.get(c.identity)
        percentile = None if acc is None else float(percentileofscore(all_accuracy, acc, kind="weak"))
        return EvolvedCell(c.identity, c.score, c.params, c.flops, acc, percentile, space.to_json(c.cell))

    top = [evolved(c) for c in result.top]
    labelled = load_labelled("nb101", "cifar10", data_dir)
    labelled_scores = model.predict(labelled.encode(model.variant.encoding))
    return NB101Evolution(
        seed=seed,
        population=population,
        generations=result.generations,
        evaluated=result.evaluated,
        wall_seconds=result.wall_seconds,
        in_table=sum(c.val_accuracy is not None for c in top),
        labelled_best_score=float(labelled_scores.max()),
        labelled_at_least_last_top=int((labelled_scores >= top[-1].score).sum()) if top else 0,
        top=top,
    )
