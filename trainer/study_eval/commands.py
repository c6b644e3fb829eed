"""``renas-train study-eval run | report``: simulated users of a study beside the baselines, stored
one JSON line per finished run (``runs.jsonl``: a rerun skips what is there, so a cut run resumes),
then summarised as Markdown and a figure."""

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from tqdm.auto import tqdm

from trainer.options import DataDirOpt
from trainer.study_eval.experiments import METHODS, run_method
from trainer.study_eval.oracle import NB201_TOLD_REPORTED, Oracle, nb101_oracle, nb201_oracle
from trainer.study_eval.report import LIMIT, figure, markdown, summarize
from trainer.table1.store import finished_keys, read_results

app = typer.Typer(help="Studies judged with the benchmark table as the user's training runs.")

DEFAULT_OUT = Path("docs/results/study-eval")
ALL_METHODS = ",".join(METHODS)
OutOpt = Annotated[Path, typer.Option(help="results folder (runs.jsonl, summary.md)")]


def _oracle(space: str, dataset: str, data_dir: Path | None) -> Oracle:
    return nb101_oracle(data_dir) if space == "nb101" else nb201_oracle(dataset, data_dir)


def _key(space: str, dataset: str, noise: float, method: str, seed: int) -> str:
    return f"{space}/{dataset}/noise{noise:g}/{method}/{seed}"


@app.command()
def run(
    space: Annotated[str, typer.Option(help="nb201 or nb101 (the 20,001-cell pool)")] = "nb201",
    datasets: Annotated[
        str, typer.Option(help=f"nb201: comma-separated of {', '.join(NB201_TOLD_REPORTED)}")
    ] = "cifar10,cifar100,imagenet16-120",
    noise: Annotated[float, typer.Option(min=0, help="std of Gaussian noise on told values (points)")] = 0.0,
    seeds: Annotated[int, typer.Option(min=1, help="runs per method, seeds 0 .. SEEDS-1")] = 20,
    methods: Annotated[str, typer.Option(help=f"comma-separated of {', '.join(METHODS)}")] = ALL_METHODS,
    out: OutOpt = DEFAULT_OUT,
    data_dir: DataDirOpt = None,
) -> None:
    """Run every (dataset, method, seed) not yet in ``runs.jsonl``, appending each as it finishes."""
    chosen = [m for m in methods.split(",") if m]
    unknown = set(chosen) - set(METHODS)
    if unknown:
        raise typer.BadParameter(f"unknown methods {sorted(unknown)}; known: {', '.join(METHODS)}")
    names = ["cifar10"] if space == "nb101" else [d for d in datasets.split(",") if d]
    out.mkdir(parents=True, exist_ok=True)
    jsonl = out / "runs.jsonl"
    done = finished_keys(jsonl)
    todo = [
        (d, m, s)
        for d in names
        for m in chosen
        for s in range(seeds)
        if _key(space, d, noise, m, s) not in done
    ]
    for dataset, method, seed in tqdm(todo, desc="study-eval", unit="run"):
        oracle = _oracle(space, dataset, data_dir)
        result = run_method(method, oracle, seed=seed, noise=noise, budget=LIMIT)
        record = {
            "key": _key(space, dataset, noise, method, seed),
            "space": space,
            "dataset": dataset,
            "noise": noise,
            "method": method,
            "seed": seed,
            "seconds": result.seconds,
            "trajectory": result.trajectory,
        }
        with jsonl.open("a") as f:
            f.write(json.dumps(record) + "\n")


@app.command()
def report(
    out: OutOpt = DEFAULT_OUT,
    png: Annotated[Path, typer.Option(help="the figure")] = Path("docs/figures/study-eval.png"),
    data_dir: DataDirOpt = None,
) -> None:
    """Summarise ``runs.jsonl`` into ``summary.md`` (printed too) and the figure."""
    records = read_results(out / "runs.jsonl")
    groups: dict[tuple[str, str, float], dict[str, list[dict[str, Any]]]] = {}
    for r in records:
        groups.setdefault((r["space"], r["dataset"], r["noise"]), {}).setdefault(r["method"], []).append(r)
    rows, panels = [], []
    for (space, dataset, noise), methods in sorted(groups.items()):
        oracle = _oracle(space, dataset, data_dir)
        for method in METHODS:
            if method in methods:
                rows.append((space, dataset, noise, method, summarize(methods[method], oracle)))
        if noise == 0:
            title = f"{space} {dataset}" + (" (pool of 20,001)" if space == "nb101" else "")
            panels.append((title, oracle, {m: [r["trajectory"] for r in rs] for m, rs in methods.items()}))
    text = markdown(rows)
    (out / "summary.md").write_text(text)
    if panels:
        figure(panels, png)
    typer.echo(text)
