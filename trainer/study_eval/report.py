"""What the runs say: evaluations until the optimum is told, the reported accuracy (NB201) or the
pool rank (NB101) of the best told network after 20, 30, 50 and 100 evaluations, and a figure.

"Best told" is judged by the noise-free told value, with or without noise in the tells. A study run
stops once it has told the optimum: from there on its best told network is the optimum.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt
import numpy as np

from trainer.stats import mean_std, plus_minus
from trainer.study_eval.experiments import METHODS
from trainer.study_eval.oracle import Oracle

BUDGETS = (20, 30, 50, 100)
LIMIT = 200  # evaluations until the optimum are counted up to this


def best_after(trajectory: Sequence[str], k: int, oracle: Oracle) -> str:
    """The best network (by noise-free told value) among the first ``k`` evaluated."""
    return max(trajectory[:k], key=oracle.told.__getitem__)


def evaluations_to_optimum(trajectory: Sequence[str], oracle: Oracle) -> int | None:
    optimum = oracle.optimum
    return trajectory.index(optimum) + 1 if optimum in trajectory[:LIMIT] else None


def curve(trajectory: Sequence[str], oracle: Oracle, length: int) -> np.ndarray:
    """Reported accuracy (NB201) or pool rank (NB101) of the best so far after 1..length evaluations."""
    values = []
    best: str | None = None
    for k in range(length):
        if k < len(trajectory) and (best is None or oracle.told[trajectory[k]] > oracle.told[best]):
            best = trajectory[k]
        assert best is not None
        values.append(oracle.rank(best) if oracle.space == "nb101" else oracle.reported[best])
    return np.array(values, dtype=np.float64)


def summarize(runs: Sequence[dict[str, Any]], oracle: Oracle) -> dict[str, Any]:
    """One method's runs (one space, dataset and noise): the issue's numbers."""
    found = [evaluations_to_optimum(r["trajectory"], oracle) for r in runs]
    counted = [LIMIT if f is None else f for f in found]
    summary: dict[str, Any] = {
        "runs": len(runs),
        "within_100": sum(f is not None and f <= 100 for f in found),
        "to_optimum_mean": float(np.mean(counted)),
        "to_optimum_median": float(np.median(counted)),
        "to_optimum_worst": max(counted),
        "censored": sum(f is None for f in found),
        "seconds_mean": float(np.mean([r["seconds"] for r in runs])),
    }
    for k in BUDGETS:
        values = [curve(r["trajectory"], oracle, k)[-1] for r in runs]
        if oracle.space == "nb101":
            summary[f"rank_median@{k}"] = float(np.median(values))
        else:
            summary[f"reported@{k}"] = plus_minus(mean_std(values))
    return summary


def markdown(rows: Sequence[tuple[str, str, float, str, dict[str, Any]]]) -> str:
    """Rows of (space, dataset, noise, method, summary) as Markdown tables, one per space."""
    out = []
    for space in ("nb201", "nb101"):
        mine = [r for r in rows if r[0] == space]
        if not mine:
            continue
        after = [f"rank_median@{k}" if space == "nb101" else f"reported@{k}" for k in BUDGETS]
        label = "median pool rank" if space == "nb101" else "reported accuracy"
        head = ["dataset", "noise", "method", "runs", "optimum within 100"]
        head += ["to optimum mean / median / worst"]
        head += [f"{label} after {k}" for k in BUDGETS] + ["s / run"]
        out += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        for _, dataset, noise, method, s in mine:
            worst = f"> {LIMIT}" if s["censored"] else str(s["to_optimum_worst"])
            cells = [
                dataset,
                f"{noise:g}",
                method,
                str(s["runs"]),
                f"{s['within_100']} / {s['runs']}",
                f"{s['to_optimum_mean']:.1f} / {s['to_optimum_median']:.0f} / {worst}",
            ]
            cells += [str(s[a]) if isinstance(s[a], str) else f"{s[a]:g}" for a in after]
            cells.append(f"{s['seconds_mean']:.0f}")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def figure(panels: Sequence[tuple[str, Oracle, dict[str, list[list[str]]]]], png: Path) -> None:
    """Best so far against evaluations: median and quartiles over seeds, one line per method, a panel
    per (title, oracle, method -> trajectories)."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.8), squeeze=False)
    for ax, (title, oracle, methods) in zip(axes[0], panels, strict=True):
        x = np.arange(1, 101)
        for method, trajectories in methods.items():
            curves = np.stack([curve(t, oracle, 100) for t in trajectories])
            low, mid, high = np.percentile(curves, [25, 50, 75], axis=0)
            color = f"C{METHODS.index(method) % 10}" if method in METHODS else None  # one colour a method
            (line,) = ax.plot(x, mid, label=method, linewidth=1.2, color=color)
            ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
        if oracle.space == "nb101":
            ax.set_yscale("log")
            ax.invert_yaxis()
            ax.set_ylabel("pool rank of the best told (1 = best)")
        else:
            ax.axhline(oracle.reported[oracle.optimum], color="grey", linewidth=0.6, linestyle="--")
            ax.set_ylabel("reported accuracy of the best told (%)")
            ax.set_ylim(oracle.reported[oracle.optimum] - 3, oracle.reported[oracle.optimum] + 0.5)
        ax.set_xlabel("evaluations")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    plt.close(fig)
