"""The Markdown tables of a search-eval report (the JSON ``commands`` writes): mean ± std over seeds."""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from trainer.search_eval.experiments import NB101_METRICS, NB201_METRICS
from trainer.stats import mean_std, plus_minus


def _summary(repeats: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    return {key: mean_std(r[key] for r in repeats) for key in keys}


def nb201_markdown(report: Mapping[str, Any]) -> str:
    lines = [
        "| dataset | method | queried | repeats | best valid | best test | test of best-valid |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    k = report["settings"]["top_k"]
    for dataset, block in report["datasets"].items():
        methods = [(f"{name} top-{k}", v) for name, v in block["variants"].items()]
        methods += [("random search", block["random"]), (f"params top-{k}", block["params"])]
        for name, entry in methods:
            if not entry["repeats"]:
                continue
            s = _summary(entry["repeats"], NB201_METRICS)
            queried = entry["repeats"][0]["queried"]
            lines.append(
                f"| {dataset} | {name} | {queried} | {len(entry['repeats'])} | {plus_minus(s['best_valid'])} "
                f"| {plus_minus(s['best_test'])} | {plus_minus(s['test_of_best_valid'])} |"
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
        s = _summary(repeats, NB101_METRICS)
        lines += [
            "| method | queried | repeats | best val. acc. (%) | percentile | Kendall tau held-out |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| {report['settings']['variant']} top-{k} | {repeats[0]['queried']} | {len(repeats)} "
            f"| {plus_minus(s['best_top'])} | {plus_minus(s['best_top_percentile'])} "
            f"| {plus_minus(s['tau_held_out'])} |",
            f"| random pick | {repeats[0]['queried']} | {len(repeats)} | {plus_minus(s['random_best'])} "
            f"| {plus_minus(s['random_best_percentile'])} | - |",
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
