"""Ranking quality of a predictor: what the product is judged on."""

import numpy as np
from scipy.stats import kendalltau, rankdata, spearmanr


def kendall_tau(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Kendall's tau-b between true labels and predicted scores (ties handled by scipy)."""
    tau = kendalltau(np.asarray(y_true, dtype=np.float64), np.asarray(y_score, dtype=np.float64)).statistic
    return float(tau)


def spread_calibration(y_true: np.ndarray, y_score: np.ndarray, spread: np.ndarray) -> float:
    """Spearman correlation of an ensemble's spread with each cell's absolute rank error
    (|rank by score - rank by label|): positive when the cells it is unsure of are the ones it misranks."""
    error = np.abs(rankdata(y_score) - rankdata(y_true))
    return float(spearmanr(np.asarray(spread, dtype=np.float64), error).statistic)
