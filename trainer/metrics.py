"""Ranking quality of a predictor: what the product is judged on."""

import numpy as np
from scipy.stats import kendalltau


def kendall_tau(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Kendall's tau-b between true labels and predicted scores (ties handled by scipy)."""
    tau = kendalltau(np.asarray(y_true, dtype=np.float64), np.asarray(y_score, dtype=np.float64)).statistic
    return float(tau)
