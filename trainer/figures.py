"""Figures for docs/RESULTS.md: the ReNAS Fig. 2 analogue (true rank vs predicted rank of held-out cells)."""

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import rankdata

Panel = tuple[str, np.ndarray, np.ndarray, float]  # (method, true labels, predicted scores, tau to print)


def rank_scatter(panels: Sequence[Panel], png: Path, *, title: str) -> None:
    """A scatter per method: x = true rank, y = predicted rank (1 = best); perfect ranking = diagonal."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.4), squeeze=False)
    for ax, (method, y_true, scores, tau) in zip(axes[0], panels, strict=True):
        true_rank = rankdata(-y_true)
        pred_rank = rankdata(-scores)
        ax.scatter(true_rank, pred_rank, s=3, alpha=0.5, color="tab:blue", linewidths=0)
        ax.plot([1, len(y_true)], [1, len(y_true)], color="tab:red", linewidth=0.8)
        ax.set_title(f"{method}: tau {tau:.3f} (all held-out cells)", fontsize=10)
        ax.set_xlabel("true rank (validation accuracy)")
        ax.set_ylabel("predicted rank")
        ax.set_aspect("equal")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    plt.close(fig)
