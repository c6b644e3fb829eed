"""``renas-train table1 run | summarize | figure``: thin commands over plan, experiment, store, report."""

import json
import logging
from pathlib import Path
from typing import Annotated

import numpy as np
import torch
import typer
from tqdm.auto import tqdm

from trainer.data import load_labelled, split
from trainer.options import DataDirOpt
from trainer.table1.experiment import labelled, measure
from trainer.table1.plan import DEFAULT_DATASET, DEFAULT_SIZES, METHODS, Entry, parse_size, plan, size_label
from trainer.table1.report import markdown_table, projected_seconds, summarize
from trainer.table1.store import ResultsFolder

log = logging.getLogger(__name__)

app = typer.Typer(
    help="ReNAS Table 1: Kendall tau of every predictor and baseline over training sizes and seeds."
)

SpaceArg = Annotated[str, typer.Argument(help="nb101 or nb201")]
OutOpt = Annotated[Path, typer.Option("--out", help="run folder: <space>.jsonl and preds/ live here")]
DatasetOpt = Annotated[
    str,
    typer.Option(help="whose labels: nb201 also has cifar100 and imagenet16-120 (<space>-<dataset>.jsonl)"),
]


def _size(text: str) -> float | int:
    try:
        return parse_size(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


@app.command("run")
def run_command(
    space: SpaceArg,
    out: OutOpt = Path("runs/table1"),
    sizes: Annotated[
        str | None, typer.Option(help="comma-separated fractions or counts; default: the paper's")
    ] = None,
    methods: Annotated[str, typer.Option(help="comma-separated variants and baselines")] = ",".join(METHODS),
    seeds: Annotated[int, typer.Option(min=1, help="seeds 0..N-1 (split and initialisation)")] = 5,
    epochs: Annotated[int, typer.Option(min=1)] = 200,
    max_steps: Annotated[
        int | None,
        typer.Option(
            min=1, help="cap on a trained method's optimiser steps (batch 1024): fewer epochs at large sizes"
        ),
    ] = None,
    threads: Annotated[int, typer.Option(min=1, help="torch CPU threads")] = 1,
    limit: Annotated[
        int | None, typer.Option(help="use only the table's first N cells (smoke tests)")
    ] = None,
    dataset: DatasetOpt = DEFAULT_DATASET,
    data_dir: DataDirOpt = None,
) -> None:
    """Train and evaluate every (method, size, seed) not already in OUT/SPACE.jsonl."""
    if space not in DEFAULT_SIZES:
        raise typer.BadParameter(f"unknown space {space!r}; choose nb101 or nb201")
    chosen = [m.strip() for m in methods.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in METHODS]
    if unknown:
        raise typer.BadParameter(f"unknown methods {unknown}; known: {', '.join(METHODS)}")
    size_list = [_size(s) for s in sizes.split(",")] if sizes else list(DEFAULT_SIZES[space])
    torch.set_num_threads(threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        n_cells = len(labelled(space, limit, data_dir, dataset).cells)
    except ValueError as error:  # no such labels in this space
        raise typer.BadParameter(str(error)) from None
    entries = plan(
        space, chosen, size_list, range(seeds), epochs, n_cells=n_cells, max_steps=max_steps, dataset=dataset
    )
    folder = ResultsFolder(out)
    done = folder.finished_keys(space, dataset)
    todo = [entry for entry in entries if entry.key not in done]
    log.info("%d of %d entries already done; %d to run", len(entries) - len(todo), len(entries), len(todo))
    bar = tqdm(todo, desc="table1", unit="entry")
    for entry in bar:
        bar.set_postfix_str(f"{entry.space} {entry.method} size={entry.size} seed={entry.seed}")
        record, scores = measure(entry, limit=limit, data_dir=data_dir)
        folder.add(record, scores)
        log.info(
            "%s %s size=%s seed=%d: tau held-out %.4f, all %.4f (%.1f s)",
            record.space, record.method, record.size, record.seed,
            record.tau_held_out, record.tau_all, record.seconds,
        )  # fmt: skip


@app.command("summarize")
def summarize_command(
    space: SpaceArg,
    out: OutOpt = Path("runs/table1"),
    json_path: Annotated[
        Path | None, typer.Option("--json", help="write the summary and every per-seed number")
    ] = None,
    metric: Annotated[
        str, typer.Option(help="tau_held_out, tau_all, spread_calibration (ensembles) or seconds")
    ] = "tau_held_out",
    seeds: Annotated[
        int, typer.Option(min=1, help="seeds of the complete grid, for the time projection")
    ] = 5,
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Print the Markdown table of OUT/SPACE.jsonl; optionally write its JSON summary."""
    records = ResultsFolder(out).records(space, dataset)
    rows = summarize(records)
    sizes = sorted({r["size"] for r in records} | set(DEFAULT_SIZES[space]), key=float)
    n_cells = records[0]["n_cells"] if records else 0
    projection = projected_seconds(rows, n_cells, DEFAULT_SIZES[space], seeds) if records else None
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        summary = {
            "space": space,
            "label": records[0]["label"] if records else None,
            "n_cells": n_cells,
            "total_seconds": round(sum(r["seconds"] for r in records), 1),
            "projected_complete_seconds": projection,
            "rows": rows,
            "records": sorted(records, key=lambda r: r["key"]),
        }
        json_path.write_text(json.dumps(summary, indent=1) + "\n")
    typer.echo(markdown_table(rows, sizes, metric))
    if projection is not None:
        typer.echo(
            f"\nmeasured {sum(r['seconds'] for r in records):.0f} s over {len(records)} entries; "
            f"the complete grid ({len(DEFAULT_SIZES[space])} sizes x {seeds} seeds) on one process: "
            f"{projection['total']} s ({projection['measured_part']} s from measured means, "
            f"{projection['estimated_part']} s estimated)"
        )


@app.command("figure")
def figure_command(
    out: OutOpt = Path("runs/table1"),
    size: Annotated[str, typer.Option(help="training size of the plotted runs")] = "0.01",
    methods: Annotated[str, typer.Option(help="comma-separated methods, one panel each")] = "renas6",
    seed: int = 0,
    epochs: int = 200,
    cells: Annotated[int, typer.Option(help="held-out cells plotted")] = 1000,
    png: Annotated[Path, typer.Option(help="where the PNG goes")] = Path("docs/figures/fig2-nb101.png"),
    data_dir: DataDirOpt = None,
) -> None:
    """Fig. 2 analogue: true vs predicted rank of held-out NB101 cells, from a finished run's saved scores."""
    from trainer.figures import rank_scatter

    data = load_labelled("nb101", "cifar10", data_dir)
    parsed = _size(size)
    _, held_out = split(len(data.cells), parsed, seed)
    picked = np.sort(
        np.random.default_rng(seed).choice(held_out, size=min(cells, len(held_out)), replace=False)
    )
    folder = ResultsFolder(out)
    records = {r["key"]: r for r in folder.records("nb101")}
    panels = []
    for method in [m.strip() for m in methods.split(",")]:
        entry = Entry("nb101", method, parsed, seed, epochs)
        scores = folder.scores(entry)
        panels.append((method, data.y[picked], scores[picked], records[entry.key]["tau_held_out"]))
    rank_scatter(
        panels,
        png,
        title=f"NB101, trained on {size_label(parsed)} (seed {seed}), {len(picked)} held-out cells",
    )
    typer.echo(f"wrote {png}")
