"""Searching with a trained predictor, judged on the benchmark tables (ReNAS Tables 5 and 2 analogues).

- ``nb201``: per dataset and seed, train a variant on a few random cells, run the exhaustive search over
  all 15,625 cells with it, and look up the true accuracies of its top-k; beside it, random search that
  queries as many cells (training cells + top-k), judged by the true validation accuracy.
- ``nb101``: per seed, train on a few labelled cells, rank every other labelled cell, and look up the
  true accuracy of the predicted top-k (and its percentile among the labelled cells); beside it, the
  best of as many random labelled cells. Then one evolutionary search over the whole space with the
  first seed's predictor, whose top-k is looked up by module hash where the (partial) table has it.

Each command rewrites its JSON after every repeat (``complete`` says whether the run finished) and
ends by printing its summary as Markdown. Mounted as ``renas-train search-eval``.
"""

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import torch
import typer
from scipy.stats import percentileofscore
from tqdm.auto import tqdm

from service.search import Candidate, Progress, SearchResult, make_scorer, run_search
from service.spaces import get_space
from trainer.data import DATASETS, load_labelled, split
from trainer.metrics import kendall_tau
from trainer.nb201_index import benchmark_index
from trainer.tables import NB101_FILE, NB201_FILE, data_path, load_nb101, load_nb201
from trainer.train import TrainedModel, train_predictor
from trainer.variants import get_variant

log = logging.getLogger(__name__)

# Columns judged per dataset: (validation, test). Only CIFAR-10 has a 200-epoch validation accuracy;
# the others use the benchmark's 12-epoch validation accuracy (see ../shared/data/README.md).
NB201_COLUMNS: dict[str, tuple[str, str]] = {
    "cifar10": ("cifar10_valid", "cifar10_test"),
    "cifar100": ("e12_cifar100_valid", "cifar100_test"),
    "imagenet16-120": ("e12_imagenet16_valid", "imagenet16_test"),
}
PAPER_RENAS_NB201_TEST = {"cifar10": 93.99, "cifar100": 72.12, "imagenet16-120": 45.97}  # ReNAS Table 5


# ---- statistics ----------------------------------------------------------------------------------


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


def mean_std(values: Iterable[float]) -> dict[str, float | int]:
    """Mean and population standard deviation (ddof=0) over repeats."""
    arr = np.asarray(list(values), dtype=np.float64)
    return {"mean": float(arr.mean()), "std": float(arr.std()), "n": len(arr)}


def summarize(repeats: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, dict[str, float | int]]:
    return {key: mean_std(r[key] for r in repeats) for key in keys}


# ---- NAS-Bench-201 (Table 5) ---------------------------------------------------------------------

NB201_METRICS = ("best_valid", "best_test", "test_of_best_valid")


def _judge(valid: np.ndarray, test: np.ndarray) -> dict[str, float]:
    """Best validation, best test, and the test accuracy of the best-by-validation cell of a set."""
    pick = int(np.argmax(valid))
    return {
        "best_valid": float(valid.max()),
        "best_test": float(test.max()),
        "test_of_best_valid": float(test[pick]),
    }


def nb201_predictor_repeat(
    dataset: str, variant: str, seed: int, *, train_cells: int, epochs: int, top_k: int, data_dir: Path | None
) -> dict[str, Any]:
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
    valid, test = _nb201_truth(dataset, data_dir)
    positions = benchmark_index(data_path(NB201_FILE, data_dir)).positions
    rows = [positions[c.cell] for c in result.top]
    return {
        "seed": seed,
        **_judge(valid[rows], test[rows]),
        "queried": train_cells + len(rows),
        "evaluated": result.evaluated,
        "train_seconds": trained - start,
        "search_seconds": result.wall_seconds,
        "top": [
            {
                "index": i,
                "arch": c.cell.to_string(),
                "score": c.score,
                "valid": float(valid[i]),
                "test": float(test[i]),
            }
            for c, i in zip(result.top, rows, strict=True)
        ],
    }


def nb201_params_baseline(dataset: str, *, top_k: int, data_dir: Path | None) -> dict[str, Any]:
    """Exhaustive search with "more parameters is better" as the scorer: the prior a predictor must beat."""
    space = get_space("nb201")
    valid, test = _nb201_truth(dataset, data_dir)
    positions = benchmark_index(data_path(NB201_FILE, data_dir)).positions
    result = run_search("exhaustive", space, lambda cells: space.cost(cells)[0], top_k=top_k)
    rows = [positions[c.cell] for c in result.top]
    return {"seed": None, **_judge(valid[rows], test[rows]), "queried": len(rows)}


def nb201_random_repeat(dataset: str, seed: int, *, budget: int, data_dir: Path | None) -> dict[str, Any]:
    """Random search over distinct networks, ``budget`` of them queried for their true validation accuracy."""
    valid, test = _nb201_truth(dataset, data_dir)
    positions = benchmark_index(data_path(NB201_FILE, data_dir)).positions

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
    return {"seed": seed, **_judge(valid[rows], test[rows]), "queried": len(rows)}


@cache
def _nb201_truth(dataset: str, data_dir: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """(validation, test) accuracy of every cell, in benchmark index order (read once per dataset)."""
    records = load_nb201(data_path(NB201_FILE, data_dir))
    valid_col, test_col = NB201_COLUMNS[dataset]
    return (
        np.array([r.metrics[valid_col] for r in records], dtype=np.float64),
        np.array([r.metrics[test_col] for r in records], dtype=np.float64),
    )


def nb201_dataset_header(dataset: str, *, top_k: int, data_dir: Path | None) -> dict[str, Any]:
    valid, test = _nb201_truth(dataset, data_dir)
    valid_col, test_col = NB201_COLUMNS[dataset]
    return {
        "train_label": load_labelled("nb201", dataset, data_dir).label,
        "valid_column": valid_col,
        "test_column": test_col,
        "optimum": {"valid": float(valid.max()), "test": float(test.max())},
        "paper_renas_test": PAPER_RENAS_NB201_TEST[dataset],
        "variants": {},
        "random": {"repeats": []},
        "params": {"repeats": [nb201_params_baseline(dataset, top_k=top_k, data_dir=data_dir)]},
    }


# ---- NAS-Bench-101 (Table 2) ---------------------------------------------------------------------

NB101_METRICS = ("best_top", "best_top_percentile", "tau_held_out", "random_best", "random_best_percentile")


def nb101_repeat(
    variant: str, seed: int, *, train_cells: int, epochs: int, top_k: int, data_dir: Path | None
) -> tuple[dict[str, Any], TrainedModel]:
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
    return {
        "seed": seed,
        "best_top": best,
        "best_top_percentile": float(percentileofscore(accuracy, best, kind="weak")),
        "tau_held_out": kendall_tau(accuracy[held], scores),
        "random_best": random_best,
        "random_best_percentile": float(percentileofscore(accuracy, random_best, kind="weak")),
        "queried": train_cells + top_k,
        "ranked": len(held),
        "top_accuracies": [float(a) for a in accuracy[held][top_indices(scores, top_k)]],
        "train_seconds": trained - start,
        "rank_seconds": ranked - trained,
    }, model


def nb101_evolution(
    model: TrainedModel,
    *,
    seed: int,
    population: int,
    generations: int,
    top_k: int,
    data_dir: Path | None,
    on_progress: Callable[[Progress], None] | None = None,
) -> dict[str, Any]:
    """Evolutionary search of the whole space with ``model``; top-k looked up in the table by hash."""
    space = get_space("nb101")
    result: SearchResult = run_search(
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

    def row(c: Candidate) -> dict[str, Any]:
        acc = table.get(c.identity)
        return {
            "hash": c.identity,
            "score": c.score,
            "params": c.params,
            "flops": c.flops,
            "val_accuracy": acc,
            "percentile": None if acc is None else float(percentileofscore(all_accuracy, acc, kind="weak")),
            "cell": space.to_json(c.cell),
        }

    top = [row(c) for c in result.top]
    labelled = load_labelled("nb101", "cifar10", data_dir)
    labelled_scores = model.predict(labelled.encode(model.variant.encoding))
    return {
        "seed": seed,
        "population": population,
        "generations": result.generations,
        "evaluated": result.evaluated,
        "wall_seconds": result.wall_seconds,
        "in_table": sum(r["val_accuracy"] is not None for r in top),
        # Did the search find cells the predictor rates above the labelled ones? (judged by its own scores)
        "labelled_best_score": float(labelled_scores.max()),
        "labelled_at_least_last_top": int((labelled_scores >= top[-1]["score"]).sum()) if top else 0,
        "top": top,
    }


# ---- Markdown summaries --------------------------------------------------------------------------


def _pm(stat: Mapping[str, float | int]) -> str:
    return f"{stat['mean']:.2f} ± {stat['std']:.2f}"


def nb201_markdown(report: Mapping[str, Any]) -> str:
    lines = [
        "| dataset | method | queried | repeats | best valid | best test | test of best-valid |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for dataset, block in report["datasets"].items():
        methods = [(f"{name} top-{report['settings']['top_k']}", v) for name, v in block["variants"].items()]
        methods.append(("random search", block["random"]))
        methods.append((f"params top-{report['settings']['top_k']}", block["params"]))
        for name, entry in methods:
            if not entry["repeats"]:
                continue
            s = summarize(entry["repeats"], NB201_METRICS)
            queried = entry["repeats"][0]["queried"]
            lines.append(
                f"| {dataset} | {name} | {queried} | {len(entry['repeats'])} | {_pm(s['best_valid'])} "
                f"| {_pm(s['best_test'])} | {_pm(s['test_of_best_valid'])} |"
            )
        opt = block["optimum"]
        lines.append(
            f"| {dataset} | optimum (table) | 15,625 | - | {opt['valid']:.2f} | {opt['test']:.2f} | - |"
        )
        lines.append(f"| {dataset} | ReNAS (paper) | 100 | - | - | {block['paper_renas_test']:.2f} | - |")
    return "\n".join(lines)


def nb101_markdown(report: Mapping[str, Any]) -> str:
    repeats = report["repeats"]
    k = report["settings"]["top_k"]
    lines = []
    if repeats:
        s = summarize(repeats, NB101_METRICS)
        lines += [
            "| method | queried | repeats | best val. acc. (%) | percentile | Kendall tau held-out |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| {report['settings']['variant']} top-{k} | {repeats[0]['queried']} | {len(repeats)} "
            f"| {_pm(s['best_top'])} | {_pm(s['best_top_percentile'])} | {_pm(s['tau_held_out'])} |",
            f"| random pick | {repeats[0]['queried']} | {len(repeats)} | {_pm(s['random_best'])} "
            f"| {_pm(s['random_best_percentile'])} | - |",
            f"| best labelled cell | {report['labelled_cells']} | - | {report['best_labelled']:.2f} "
            "| 100 | - |",
        ]
    evo = report.get("evolution")
    if evo:
        lines += [
            "",
            f"Evolution (seed {evo['seed']}, population {evo['population']}, "
            f"{evo['generations']} generations, {evo['evaluated']} cells scored, "
            f"{evo['wall_seconds']:.1f} s): {evo['in_table']} of {len(evo['top'])} in the table. "
            f"The same predictor's highest score on the {report['labelled_cells']} labelled cells is "
            f"{evo['labelled_best_score']:.4f}; {evo['labelled_at_least_last_top']} labelled cells score at "
            f"least the evolution's last top-{len(evo['top'])} score.",
            "",
            "| rank | predicted score | hash | params | val. acc. (%) | percentile |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for rank, r in enumerate(evo["top"], 1):
            acc = "not in table" if r["val_accuracy"] is None else f"{r['val_accuracy']:.2f}"
            pct = "-" if r["percentile"] is None else f"{r['percentile']:.2f}"
            lines.append(f"| {rank} | {r['score']:.4f} | `{r['hash']}` | {r['params']:,} | {acc} | {pct} |")
    return "\n".join(lines)


def timing_markdown(report: Mapping[str, Any]) -> str:
    """Mean (max) seconds per repeat of each timed step, and the run's wall time."""
    steps = {"nb201": ("train_seconds", "search_seconds"), "nb101": ("train_seconds", "rank_seconds")}
    entries = (
        [(f"{d} {v}", e["repeats"]) for d, b in report["datasets"].items() for v, e in b["variants"].items()]
        if report["space"] == "nb201"
        else [(report["settings"]["variant"], report["repeats"])]
    )
    names = steps[report["space"]]
    lines = [
        f"| predictor | repeats | {' | '.join(n.replace('_', ' ') for n in names)} |",
        "| --- | --- | --- | --- |",
    ]
    for label, repeats in entries:
        cells = [f"{np.mean([r[n] for r in repeats]):.1f} ({max(r[n] for r in repeats):.1f})" for n in names]
        lines.append(f"| {label} | {len(repeats)} | {' | '.join(cells)} |")
    status = "complete" if report["complete"] else "incomplete: stopped before the last repeat"
    lines.append(f"\nWall time of the whole run: {report['wall_seconds']:.0f} s ({status}).")
    return "\n".join(lines)


# ---- command line --------------------------------------------------------------------------------

app = typer.Typer(
    help="Search with a trained predictor, judged on the benchmark tables (ReNAS Tables 5 and 2)."
)

RepeatsOpt = Annotated[int, typer.Option(min=1, help="repeats, with seeds SEED .. SEED+REPEATS-1")]
SeedOpt = Annotated[int, typer.Option(min=0, help="first seed (split, initialisation, random search)")]
EpochsOpt = Annotated[int, typer.Option(min=1, help="training epochs per predictor")]
TopKOpt = Annotated[int, typer.Option(min=1, help="predicted top-k whose true accuracies are looked up")]
ThreadsOpt = Annotated[int, typer.Option(min=1, help="torch CPU threads")]
DataDirOpt = Annotated[Path | None, typer.Option(help="folder of the benchmark tables (default: settings)")]
ProgressOpt = Annotated[bool, typer.Option(help="progress bars on stderr")]


def _write(path: Path, report: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")


@app.command("nb201")
def nb201_command(
    output: Annotated[Path, typer.Option(help="JSON report")] = Path("docs/results/search-nb201.json"),
    datasets: Annotated[
        list[str] | None, typer.Option("--dataset", help="repeatable; default: all three")
    ] = None,
    variants: Annotated[
        list[str] | None, typer.Option("--variant", help="repeatable; default: renas6")
    ] = None,
    repeats: RepeatsOpt = 20,
    seed: SeedOpt = 0,
    epochs: EpochsOpt = 200,
    train_cells: Annotated[
        int, typer.Option(min=2, help="random labelled cells each predictor trains on")
    ] = 90,
    top_k: TopKOpt = 10,
    threads: ThreadsOpt = 1,
    data_dir: DataDirOpt = None,
    progress: ProgressOpt = True,
) -> None:
    """Table 5: exhaustive search of all NB201 cells with a predictor trained on TRAIN_CELLS cells."""
    chosen = datasets or list(DATASETS["nb201"])
    unknown = [d for d in chosen if d not in NB201_COLUMNS]
    if unknown:
        raise typer.BadParameter(f"unknown datasets {unknown}; known: {', '.join(NB201_COLUMNS)}")
    names = variants or ["renas6"]
    for name in names:
        try:
            get_variant(name)
        except KeyError as error:
            raise typer.BadParameter(str(error.args[0])) from None
    torch.set_num_threads(threads)
    seeds = range(seed, seed + repeats)
    settings = {
        "train_cells": train_cells,
        "epochs": epochs,
        "top_k": top_k,
        "threads": threads,
        "seeds": list(seeds),
    }
    report: dict[str, Any] = {"space": "nb201", "complete": False, "settings": settings, "datasets": {}}
    start = time.perf_counter()
    jobs = [(d, v, s) for s in seeds for d in chosen for v in names]  # seed-major: a cut run stays balanced
    for dataset, variant, s in tqdm(jobs, desc="nb201 search-eval", unit="repeat", disable=not progress):
        block = report["datasets"].setdefault(
            dataset, nb201_dataset_header(dataset, top_k=top_k, data_dir=data_dir)
        )
        entry = block["variants"].setdefault(variant, {"repeats": []})
        entry["repeats"].append(
            nb201_predictor_repeat(
                dataset, variant, s, train_cells=train_cells, epochs=epochs, top_k=top_k, data_dir=data_dir
            )
        )
        if variant == names[-1]:
            block["random"]["repeats"].append(
                nb201_random_repeat(dataset, s, budget=train_cells + top_k, data_dir=data_dir)
            )
        report["wall_seconds"] = time.perf_counter() - start
        _write(output, report)
    report["complete"] = True
    _write(output, report)
    typer.echo(nb201_markdown(report))
    typer.echo(f"\nwall time {report['wall_seconds']:.1f} s; JSON: {output}")


@app.command("nb101")
def nb101_command(
    output: Annotated[Path, typer.Option(help="JSON report")] = Path("docs/results/search-nb101.json"),
    variant: Annotated[str, typer.Option(help="predictor variant")] = "renas6",
    repeats: RepeatsOpt = 20,
    seed: SeedOpt = 0,
    epochs: EpochsOpt = 200,
    train_cells: Annotated[
        int, typer.Option(min=2, help="random labelled cells each predictor trains on")
    ] = 424,
    top_k: TopKOpt = 10,
    population: Annotated[int, typer.Option(min=2, help="evolution population")] = 64,
    generations: Annotated[int, typer.Option(min=0, help="evolution generations (0: no evolution)")] = 500,
    threads: ThreadsOpt = 1,
    data_dir: DataDirOpt = None,
    progress: ProgressOpt = True,
) -> None:
    """Table 2: rank the labelled NB101 cells with a predictor; then evolve over the whole space with it."""
    try:
        get_variant(variant)
    except KeyError as error:
        raise typer.BadParameter(str(error.args[0])) from None
    torch.set_num_threads(threads)
    seeds = range(seed, seed + repeats)
    accuracy = load_labelled("nb101", "cifar10", data_dir).y * 100.0
    report: dict[str, Any] = {
        "space": "nb101",
        "complete": False,
        "label": "val_accuracy@108 (%, one training run)",
        "labelled_cells": len(accuracy),
        "best_labelled": float(accuracy.max()),
        "settings": {
            "variant": variant,
            "train_cells": train_cells,
            "epochs": epochs,
            "top_k": top_k,
            "threads": threads,
            "seeds": list(seeds),
        },
        "repeats": [],
    }
    start = time.perf_counter()
    for s in tqdm(seeds, desc="nb101 search-eval", unit="repeat", disable=not progress):
        record, model = nb101_repeat(
            variant, s, train_cells=train_cells, epochs=epochs, top_k=top_k, data_dir=data_dir
        )
        report["repeats"].append(record)
        if s == seed and generations > 0:  # evolve with the first predictor right away: a cut run keeps it
            report["evolution"] = _evolve(model, seed, population, generations, top_k, data_dir, progress)
        report["wall_seconds"] = time.perf_counter() - start
        _write(output, report)
    report["wall_seconds"] = time.perf_counter() - start
    report["complete"] = True
    _write(output, report)
    typer.echo(nb101_markdown(report))
    typer.echo(f"\nwall time {report['wall_seconds']:.1f} s; JSON: {output}")


@app.command("report")
def report_command(path: Annotated[Path, typer.Argument(help="JSON written by nb201 or nb101")]) -> None:
    """Print a finished (or cut) run's tables and timings as Markdown."""
    report = json.loads(path.read_text())
    tables = nb201_markdown if report["space"] == "nb201" else nb101_markdown
    typer.echo(tables(report) + "\n\n" + timing_markdown(report))


def _evolve(
    model: TrainedModel,
    seed: int,
    population: int,
    generations: int,
    top_k: int,
    data_dir: Path | None,
    progress: bool,
) -> dict[str, Any]:
    with tqdm(
        total=generations + 1, desc="nb101 evolution", unit="gen", disable=not progress, leave=False
    ) as bar:

        def advance(p: Progress) -> None:
            bar.update(p.generation + 1 - bar.n)

        return nb101_evolution(
            model,
            seed=seed,
            population=population,
            generations=generations,
            top_k=top_k,
            data_dir=data_dir,
            on_progress=advance,
        )


if __name__ == "__main__":
    app()
