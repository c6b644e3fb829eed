"""Choosing a batch from scored candidates: an upper confidence bound over the ensemble's mean and
spread, in the study's own units.

The ensemble scores on its own scale; a least-squares line through the told cells' (score, value)
pairs maps mean and spread to values, so trials show predictions a user can read ("71.2 +- 0.4").
The bound is mean + beta * spread (Srinivas et al.'s GP-UCB with a fixed beta; BANANAS and the probe
in the issue used the same form on ensembles).
"""

from dataclasses import dataclass

import numpy as np

UCB_BETA = 1.0


@dataclass(frozen=True)
class Calibration:
    """goal value ~= slope * score + intercept, fitted on the told cells (slope >= 0: scores rank in
    the goal's direction; the goal value is the value, negated when the study minimises)."""

    slope: float
    intercept: float

    @classmethod
    def fit(cls, scores: np.ndarray, values: np.ndarray) -> "Calibration":
        scores, values = np.asarray(scores, dtype=np.float64), np.asarray(values, dtype=np.float64)
        spread = float(np.var(scores))
        if len(scores) < 2 or spread <= 1e-12:
            return cls(0.0, float(np.mean(values)) if len(values) else 0.0)
        slope = float(np.cov(scores, values, bias=True)[0, 1] / spread)
        slope = max(slope, 0.0)
        return cls(slope, float(np.mean(values) - slope * np.mean(scores)))

    def values(self, scores: np.ndarray) -> np.ndarray:
        return self.slope * np.asarray(scores, dtype=np.float64) + self.intercept


def upper_confidence(mean: np.ndarray, spread: np.ndarray | None, *, beta: float = UCB_BETA) -> np.ndarray:
    """The acquisition value of each candidate (higher is picked first). Scores rank larger-is-better
    in the study's goal (a refit trains on the goal's sign), so the bound is mean + beta * spread."""
    return mean if spread is None else mean + beta * spread


def pick(acquisition: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` best candidates, best first (ties in candidate order)."""
    return np.argsort(-acquisition, kind="stable")[:n]
