"""ReNAS Table 1 on our data: Kendall tau of every predictor and baseline over training sizes and seeds.

One *entry* is (space, method, size, seed): split the labelled cells with ``split(n, size, seed)``
(the same split for every method at a given seed, so methods are compared on identical cells), fit the
method on the training cells, score every cell, and record Kendall tau on the held-out cells and on all
cells. Each finished entry is appended as one line to ``<out>/<space>.jsonl`` (with the method's scores
of every cell in ``<out>/preds/``), and a restart skips the entries already there, so a run that takes
hours can be stopped and resumed at any time.
"""

import json
import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import torch
import typer
from tqdm.auto import tqdm

from trainer.baselines import BASELINES, fit_baseline, params_scores
from trainer.data import LabelledCells, load_labelled, split, train_count
from trainer.metrics import kendall_tau
from trainer.train import BATCH_SIZE, train_predictor
from trainer.variants import VARIANTS, get_variant

log = logging.getLogger(__name__)

METHODS: tuple[str, ...] = (*VARIANTS, *BASELINES)
BASELINE_ENCODING = "renas-full"  # the fitted baselines read the same tensor as ReNAS-2/4/6
DEFAULT_SIZES: dict[str, tuple[float | int, ...]] = {
    "nb101": (0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9),  # fractions of the 20,001 cells (the protocol)
    "nb201": (78, 156, 469, 781, 1563),  # cell counts (0.5% .. 10% of 15,625), as PINAT and TNASP report
}


@dataclass(frozen=True)
class Entry:
    """One Table-1 measurement to make."""

    space: str
    method: str
    size: float | int  # a fraction (0, 1) or a cell count (int >= 2), as ``split`` takes it
    seed: int
    epochs: int

    @property
    def key(self) -> str:
        return f"{self.space}|{self.method}|{self.size!r}|{self.seed}|{self.epochs}"

    @property
    def stem(self) -> str:
        return f"{self.space}-{self.method}-{self.size!r}-s{self.seed}-e{self.epochs}"


def parse_size(text: str) -> float | int:
    """'0.01' -> fraction 0.01; '78' -> 78 cells."""
    value = float(text)
    if 0 < value < 1:
        return value
    if value >= 2 and value == int(value):
        return int(value)
    raise typer.BadParameter(f"size {text!r} must be a fraction in (0, 1) or a cell count >= 2")


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
) -> list[Entry]:
    """Entries in the order they run: smaller sizes first, then seed by seed, every method within a seed.

    So a run cut short leaves whole sizes done and, within the size it was on, the same seeds for all methods.
    With ``max_steps`` (which needs ``n_cells``), a trained method's epochs are ``capped_epochs`` of its
    training-set size; baselines do not train by epochs and keep ``epochs`` in their key.
    """
    if max_steps is not None and n_cells is None:
        raise ValueError("max_steps needs n_cells to know each size's training-set size")

    def method_epochs(method: str, size: float | int) -> int:
        if max_steps is None or method not in VARIANTS:
            return epochs
        return capped_epochs(train_count(n_cells, size), epochs, max_steps)

    return [
        Entry(space, method, size, seed, method_epochs(method, size))
        for size in sizes
        for seed in seeds
        for method in methods
    ]


def finished_keys(jsonl: Path) -> set[str]:
    """Keys of the entries already in a results file (a torn last line from a kill is ignored)."""
    if not jsonl.is_file():
        return set()
    keys = set()
    for line in jsonl.read_text().splitlines():
        try:
            keys.add(json.loads(line)["key"])
        except (json.JSONDecodeError, KeyError):
            log.warning("ignoring an unreadable line in %s", jsonl)
    return keys


def read_results(jsonl: Path) -> list[dict[str, Any]]:
    """Every complete record of a results file."""
    records = []
    for line in jsonl.read_text().splitlines() if jsonl.is_file() else []:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


@cache
def _encoded(space: str, encoding: str, limit: int | None, data_dir: Path | None) -> np.ndarray:
    return _labelled(space, limit, data_dir).encode(encoding)


def _labelled(space: str, limit: int | None, data_dir: Path | None) -> LabelledCells:
    data = load_labelled(space, "cifar10", data_dir)
    if limit is None:
        return data
    return LabelledCells(
        data.space, data.dataset, data.label, data.data_file, data.cells[:limit], data.y[:limit]
    )


def fit_and_score(data: LabelledCells, entry: Entry, train: np.ndarray, x_of: "EncodedCells") -> np.ndarray:
    """Fit ``entry.method`` on the training cells and return its score for every cell."""
    if entry.method == "params":
        return params_scores(entry.space, data.cells)
    if entry.method in BASELINES:
        x = x_of(BASELINE_ENCODING)
        return fit_baseline(entry.method, x[train], data.y[train], seed=entry.seed).predict(x)
    x = x_of(get_variant(entry.method).encoding)
    model = train_predictor(
        x[train], data.y[train], variant=entry.method, epochs=entry.epochs, seed=entry.seed
    )
    return model.predict(x).astype(np.float64)


class EncodedCells:
    """Every cell's tensor per encoding, computed once per process."""

    def __init__(self, space: str, limit: int | None, data_dir: Path | None) -> None:
        self.args = (space, limit, data_dir)

    def __call__(self, encoding: str) -> np.ndarray:
        space, limit, data_dir = self.args
        return _encoded(space, encoding, limit, data_dir)


def run_entry(data: LabelledCells, entry: Entry, x_of: EncodedCells) -> tuple[dict[str, Any], np.ndarray]:
    """Measure one entry: (its JSON record, the scores of every cell)."""
    train, held_out = split(len(data.cells), entry.size, entry.seed)
    start = time.perf_counter()
    scores = fit_and_score(data, entry, train, x_of)
    seconds = time.perf_counter() - start
    record = {
        "key": entry.key,
        **asdict(entry),
        "label": data.label,
        "n_cells": len(data.cells),
        "n_train": len(train),
        "n_held_out": len(held_out),
        "tau_held_out": kendall_tau(data.y[held_out], scores[held_out]),
        "tau_all": kendall_tau(data.y, scores),
        "seconds": round(seconds, 3),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return record, scores


def run_plan(
    entries: Sequence[Entry], out: Path, *, limit: int | None = None, data_dir: Path | None = None
) -> Iterator[dict[str, Any]]:
    """Run the entries not yet in ``out``, appending each record (and its scores) as soon as it is done."""
    (out / "preds").mkdir(parents=True, exist_ok=True)
    done: dict[str, set[str]] = {}
    todo = []
    for entry in entries:
        jsonl = out / f"{entry.space}.jsonl"
        keys = done.setdefault(entry.space, finished_keys(jsonl))
        if entry.key not in keys:
            todo.append(entry)
    log.info("%d of %d entries already done; %d to run", len(entries) - len(todo), len(entries), len(todo))
    bar = tqdm(todo, desc="table1", unit="entry")
    for entry in bar:
        bar.set_postfix_str(f"{entry.space} {entry.method} size={entry.size} seed={entry.seed}")
        data = _labelled(entry.space, limit, data_dir)
        record, scores = run_entry(data, entry, EncodedCells(entry.space, limit, data_dir))
        np.save(out / "preds" / f"{entry.stem}.npy", scores.astype(np.float32))
        with (out / f"{entry.space}.jsonl").open("a") as f:
            f.write(json.dumps(record) + "\n")
        yield record


# ---- summaries -----------------------------------------------------------------------------------


def summarize(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean and std (ddof=1) of tau per (method, size), with the per-seed numbers and the mean seconds."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault((r["method"], repr(r["size"])), []).append(r)
    rows = []
    for (method, _), rs in groups.items():
        rs = sorted(rs, key=lambda r: r["seed"])
        row: dict[str, Any] = {
            "method": method,
            "size": rs[0]["size"],
            "n_train": rs[0]["n_train"],
            "epochs": rs[0]["epochs"] if method in VARIANTS else None,
            "n_seeds": len(rs),
            "seeds": [r["seed"] for r in rs],
            "mean_seconds": float(np.mean([r["seconds"] for r in rs])),
        }
        for metric in ("tau_held_out", "tau_all"):
            values = np.array([r[metric] for r in rs])
            row[metric] = {
                "mean": float(values.mean()),
                "std": float(values.std(ddof=1)) if len(values) > 1 else None,
                "per_seed": [float(v) for v in values],
            }
        rows.append(row)
    return sorted(
        rows, key=lambda r: (METHODS.index(r["method"]) if r["method"] in METHODS else 99, r["size"])
    )


def markdown_table(rows: Sequence[dict[str, Any]], sizes: Sequence[float | int], metric: str) -> str:
    """Methods down, sizes across: 'mean ± std (n seeds)', or mean seconds a run for metric "seconds";
    a (method, size) never measured reads 'not run'."""
    cell = {(r["method"], repr(r["size"])): r for r in rows}
    header = "| method | " + " | ".join(_size_label(s) for s in sizes) + " |"
    lines = [header, "| --- |" + " --- |" * len(sizes)]
    for method in [m for m in METHODS if any(r["method"] == m for r in rows)]:
        entries = []
        for size in sizes:
            r = cell.get((method, repr(size)))
            if r is None:
                entries.append("not run")
                continue
            if metric == "seconds":
                entries.append(f"{r['mean_seconds']:.1f} ({r['n_seeds']})")
                continue
            stat = r[metric]
            std = f" ± {stat['std']:.3f}" if stat["std"] is not None else ""
            entries.append(f"{stat['mean']:.3f}{std} ({r['n_seeds']})")
        lines.append(f"| {method} | " + " | ".join(entries) + " |")
    return "\n".join(lines)


def projected_seconds(
    rows: Sequence[dict[str, Any]], n_cells: int, sizes: Sequence[float | int], seeds: int
) -> dict:
    """Single-process wall time of the complete grid (every method in ``rows`` x ``sizes`` x ``seeds``).

    A measured (method, size) counts its mean seconds per seed; an unmeasured one is *estimated* from the
    method's seconds per training cell at its largest measured size (training cost grows with cells x epochs).
    """
    measured = estimated = 0.0
    for method in {r["method"] for r in rows}:
        mine = {repr(r["size"]): r for r in rows if r["method"] == method}
        largest = max(mine.values(), key=lambda r: r["n_train"])
        for size in sizes:
            row = mine.get(repr(size))
            if row is not None:
                measured += row["mean_seconds"] * seeds
            else:
                n_train = size if isinstance(size, int) else round(size * n_cells)
                estimated += largest["mean_seconds"] / largest["n_train"] * n_train * seeds
    return {
        "measured_part": round(measured),
        "estimated_part": round(estimated),
        "total": round(measured + estimated),
    }


def _size_label(size: float | int) -> str:
    return f"{size * 100:g}%" if isinstance(size, float) else str(size)


# ---- command line --------------------------------------------------------------------------------

app = typer.Typer(
    help="ReNAS Table 1: Kendall tau of every predictor and baseline over training sizes and seeds."
)

SpaceArg = Annotated[str, typer.Argument(help="nb101 or nb201")]
OutOpt = Annotated[Path, typer.Option("--out", help="run folder: <space>.jsonl and preds/ live here")]


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
    data_dir: Annotated[Path | None, typer.Option(help="folder of the benchmark tables")] = None,
) -> None:
    """Train and evaluate every (method, size, seed) not already in OUT/SPACE.jsonl."""
    if space not in DEFAULT_SIZES:
        raise typer.BadParameter(f"unknown space {space!r}; choose nb101 or nb201")
    chosen = [m.strip() for m in methods.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in METHODS]
    if unknown:
        raise typer.BadParameter(f"unknown methods {unknown}; known: {', '.join(METHODS)}")
    size_list = [parse_size(s) for s in sizes.split(",")] if sizes else list(DEFAULT_SIZES[space])
    torch.set_num_threads(threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    n_cells = len(_labelled(space, limit, data_dir).cells)
    entries = plan(space, chosen, size_list, range(seeds), epochs, n_cells=n_cells, max_steps=max_steps)
    for record in run_plan(entries, out, limit=limit, data_dir=data_dir):
        log.info(
            "%s %s size=%s seed=%d: tau held-out %.4f, all %.4f (%.1f s)",
            record["space"], record["method"], record["size"], record["seed"],
            record["tau_held_out"], record["tau_all"], record["seconds"],
        )  # fmt: skip


@app.command("summarize")
def summarize_command(
    space: SpaceArg,
    out: OutOpt = Path("runs/table1"),
    json_path: Annotated[
        Path | None, typer.Option("--json", help="write the summary and every per-seed number")
    ] = None,
    metric: Annotated[str, typer.Option(help="tau_held_out, tau_all or seconds")] = "tau_held_out",
    seeds: Annotated[
        int, typer.Option(min=1, help="seeds of the complete grid, for the time projection")
    ] = 5,
) -> None:
    """Print the Markdown table of OUT/SPACE.jsonl; optionally write its JSON summary."""
    records = [r for r in read_results(out / f"{space}.jsonl") if r["space"] == space]
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
    data_dir: Annotated[Path | None, typer.Option(help="folder of the benchmark tables")] = None,
) -> None:
    """Fig. 2 analogue: true vs predicted rank of held-out NB101 cells, from a finished run's saved scores."""
    from trainer.figures import rank_scatter

    data = load_labelled("nb101", "cifar10", data_dir)
    parsed = parse_size(size)
    _, held_out = split(len(data.cells), parsed, seed)
    picked = np.sort(
        np.random.default_rng(seed).choice(held_out, size=min(cells, len(held_out)), replace=False)
    )
    records = {r["key"]: r for r in read_results(out / "nb101.jsonl")}
    panels = []
    for method in [m.strip() for m in methods.split(",")]:
        entry = Entry("nb101", method, parsed, seed, epochs)
        scores = np.load(out / "preds" / f"{entry.stem}.npy")
        panels.append((method, data.y[picked], scores[picked], records[entry.key]["tau_held_out"]))
    rank_scatter(
        panels,
        png,
        title=f"NB101, trained on {_size_label(parsed)} (seed {seed}), {len(picked)} held-out cells",
    )
    typer.echo(f"wrote {png}")
