"""``renas-train search-eval nb201 | nb101 | report``: run the repeats, rewrite the JSON report after
each one (a cut run keeps what it finished; ``complete`` says whether it finished), print Markdown."""

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import torch
import typer
from tqdm.auto import tqdm

from service.search import Progress
from trainer.data import DATASETS, load_labelled
from trainer.options import DataDirOpt, known_variant
from trainer.search_eval.experiments import (
    NB201_COLUMNS,
    NB101Evolution,
    nb101_evolution,
    nb101_repeat,
    nb201_params_baseline,
    nb201_predictor_repeat,
    nb201_random_repeat,
    nb201_truth,
)
from trainer.search_eval.report import nb101_markdown, nb201_markdown, timing_markdown
from trainer.train import TrainedModel

PAPER_RENAS_NB201_TEST = {"cifar10": 93.99, "cifar100": 72.12, "imagenet16-120": 45.97}  # ReNAS Table 5

app = typer.Typer(
    help="Search with a trained predictor, judged on the benchmark tables (ReNAS Tables 5 and 2)."
)

RepeatsOpt = Annotated[int, typer.Option(min=1, help="repeats, with seeds SEED .. SEED+REPEATS-1")]
SeedOpt = Annotated[int, typer.Option(min=0, help="first seed (split, initialisation, random search)")]
EpochsOpt = Annotated[int, typer.Option(min=1, help="training epochs per predictor")]
TopKOpt = Annotated[int, typer.Option(min=1, help="predicted top-k whose true accuracies are looked up")]
ThreadsOpt = Annotated[int, typer.Option(min=1, help="torch CPU threads")]
ProgressOpt = Annotated[bool, typer.Option(help="progress bars on stderr")]
TrainCellsOpt = Annotated[int, typer.Option(min=2, help="random labelled cells each predictor trains on")]


def _write(path: Path, report: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")


def _finish(output: Path, report: dict[str, Any], markdown: Callable[[Mapping[str, Any]], str]) -> None:
    """Mark the run complete, write it a last time, print its table."""
    report["complete"] = True
    _write(output, report)
    typer.echo(markdown(report))
    typer.echo(f"\nwall time {report['wall_seconds']:.1f} s; JSON: {output}")


def _nb201_block(dataset: str, *, top_k: int, data_dir: Path | None) -> dict[str, Any]:
    """A dataset's part of the report before its first repeat: columns, optimum, the params baseline."""
    valid, test = nb201_truth(dataset, data_dir)
    valid_col, test_col = NB201_COLUMNS[dataset]
    return {
        "train_label": load_labelled("nb201", dataset, data_dir).label,
        "valid_column": valid_col,
        "test_column": test_col,
        "optimum": {"valid": float(valid.max()), "test": float(test.max())},
        "paper_renas_test": PAPER_RENAS_NB201_TEST[dataset],
        "variants": {},
        "random": {"repeats": []},
        "params": {"repeats": [asdict(nb201_params_baseline(dataset, top_k=top_k, data_dir=data_dir))]},
    }


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
    train_cells: TrainCellsOpt = 90,
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
    names = [known_variant(name) for name in variants or ["renas6"]]
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
        block = report["datasets"].setdefault(dataset, _nb201_block(dataset, top_k=top_k, data_dir=data_dir))
        entry = block["variants"].setdefault(variant, {"repeats": []})
        run = nb201_predictor_repeat(
            dataset, variant, s, train_cells=train_cells, epochs=epochs, top_k=top_k, data_dir=data_dir
        )
        entry["repeats"].append(asdict(run))
        if variant == names[-1]:
            pick = nb201_random_repeat(dataset, s, budget=train_cells + top_k, data_dir=data_dir)
            block["random"]["repeats"].append(asdict(pick))
        report["wall_seconds"] = time.perf_counter() - start
        _write(output, report)
    _finish(output, report, nb201_markdown)


@app.command("nb101")
def nb101_command(
    output: Annotated[Path, typer.Option(help="JSON report")] = Path("docs/results/search-nb101.json"),
    variant: Annotated[str, typer.Option(help="predictor variant", callback=known_variant)] = "renas6",
    repeats: RepeatsOpt = 20,
    seed: SeedOpt = 0,
    epochs: EpochsOpt = 200,
    train_cells: TrainCellsOpt = 424,
    top_k: TopKOpt = 10,
    population: Annotated[int, typer.Option(min=2, help="evolution population")] = 64,
    generations: Annotated[int, typer.Option(min=0, help="evolution generations (0: no evolution)")] = 500,
    threads: ThreadsOpt = 1,
    data_dir: DataDirOpt = None,
    progress: ProgressOpt = True,
) -> None:
    """Table 2: rank the labelled NB101 cells with a predictor; then evolve over the whole space with it."""
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
        run, model = nb101_repeat(
            variant, s, train_cells=train_cells, epochs=epochs, top_k=top_k, data_dir=data_dir
        )
        report["repeats"].append(asdict(run))
        if s == seed and generations > 0:  # evolve with the first predictor right away: a cut run keeps it
            evolution = _evolve(
                model, generations, progress, seed=seed, population=population, top_k=top_k, data_dir=data_dir
            )
            report["evolution"] = asdict(evolution)
        report["wall_seconds"] = time.perf_counter() - start
        _write(output, report)
    _finish(output, report, nb101_markdown)


@app.command("report")
def report_command(path: Annotated[Path, typer.Argument(help="JSON written by nb201 or nb101")]) -> None:
    """Print a finished (or cut) run's tables and timings as Markdown."""
    report = json.loads(path.read_text())
    tables = nb201_markdown if report["space"] == "nb201" else nb101_markdown
    typer.echo(tables(report) + "\n\n" + timing_markdown(report))


def _evolve(model: TrainedModel, generations: int, progress: bool, **settings: Any) -> NB101Evolution:
    """``nb101_evolution`` with a progress bar over its generations."""
    with tqdm(
        total=generations + 1, desc="nb101 evolution", unit="gen", disable=not progress, leave=False
    ) as bar:

        def advance(p: Progress) -> None:
            bar.update(p.generation + 1 - bar.n)

        return nb101_evolution(model, generations=generations, on_progress=advance, **settings)
