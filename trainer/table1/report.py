"""Table 1 from a run's records: mean ± std per (method, size), the Markdown table, the time projection."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from trainer.stats import mean_std
from trainer.table1.plan import METHODS, size_label
from trainer.variants import VARIANTS


def summarize(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean and std (``trainer.stats.mean_std``) of tau per (method, size, epochs), with the per-seed
    numbers and the mean seconds.

    A row's ``label`` is its method; where a (method, size) was also run with other epochs than its first
    record's, those rows read "<method>, <epochs> epochs", so a longer run never blends into the grid's.
    """
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    first_epochs: dict[tuple[str, str], int] = {}
    for r in records:
        first_epochs.setdefault((r["method"], repr(r["size"])), r["epochs"])
        groups.setdefault((r["method"], repr(r["size"]), r["epochs"]), []).append(r)
    rows = []
    for (method, size, epochs), rs in groups.items():
        rs = sorted(rs, key=lambda r: r["seed"])
        plain = epochs == first_epochs[(method, size)]
        row: dict[str, Any] = {
            "method": method,
            "label": method if plain else f"{method}, {epochs} epochs",
            "size": rs[0]["size"],
            "n_train": rs[0]["n_train"],
            "epochs": rs[0]["epochs"] if method in VARIANTS else None,
            "n_seeds": len(rs),
            "seeds": [r["seed"] for r in rs],
            "mean_seconds": float(np.mean([r["seconds"] for r in rs])),
        }
        for metric in ("tau_held_out", "tau_all", "spread_calibration"):
            if any(r.get(metric) is None for r in rs):  # an ensemble's spread only, in newer records
                continue
            values = [float(r[metric]) for r in rs]
            row[metric] = {**mean_std(values), "per_seed": values}
        rows.append(row)
    return sorted(
        rows,
        key=lambda r: (
            METHODS.index(r["method"]) if r["method"] in METHODS else 99,
            r["label"] != r["method"],
            r["label"],
            r["size"],
        ),
    )


def markdown_table(rows: Sequence[dict[str, Any]], sizes: Sequence[float | int], metric: str) -> str:
    """Methods down, sizes across: 'mean ± std (n seeds)', or mean seconds a run for metric "seconds";
    a (method, size) never measured reads 'not run', one without the metric 'n/a'; methods with the
    metric nowhere are left out."""
    cell = {(r["label"], repr(r["size"])): r for r in rows}
    header = "| method | " + " | ".join(size_label(s) for s in sizes) + " |"
    lines = [header, "| --- |" + " --- |" * len(sizes)]
    labels = dict.fromkeys(r["label"] for r in rows if r["method"] in METHODS and has_metric(r, metric))
    for label in labels:
        entries = []
        for size in sizes:
            r = cell.get((label, repr(size)))
            if r is None:
                entries.append("not run")
                continue
            if metric == "seconds":
                entries.append(f"{r['mean_seconds']:.1f} ({r['n_seeds']})")
                continue
            if metric not in r:
                entries.append("n/a")
                continue
            stat = r[metric]
            std = f" ± {stat['std']:.3f}" if stat["std"] is not None else ""
            entries.append(f"{stat['mean']:.3f}{std} ({r['n_seeds']})")
        lines.append(f"| {label} | " + " | ".join(entries) + " |")
    return "\n".join(lines)


def has_metric(row: dict[str, Any], metric: str) -> bool:
    """Whether a summary row has ``metric`` (seconds it always has)."""
    return metric == "seconds" or metric in row


def projected_seconds(
    rows: Sequence[dict[str, Any]], n_cells: int, sizes: Sequence[float | int], seeds: int
) -> dict[str, int]:
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
