"""Baseline predictors in the same harness as ``train_predictor``: fit on (x, y), ``predict(x)`` scores.

- ``rf``: random forest on the flattened tensor, as E2EPP (Sun et al. 2019) uses a forest over an
  architecture encoding;
- ``gbt``: LightGBM gradient-boosted trees on the flattened tensor;
- ``params``: "more parameters is better", the score is the network's parameter count (no fitting).
"""

from collections.abc import Hashable, Sequence
from typing import Protocol

import lightgbm as lgb
import numpy as np
from sklearn.ensemble import RandomForestRegressor

from service.spaces import get_space

BASELINES = ("rf", "gbt", "params")


class Predictor(Protocol):
    def predict(self, x: np.ndarray) -> np.ndarray: ...


class _Flattened:
    """Adapts an sklearn-style regressor to (n, C, H, W) tensors."""

    def __init__(self, regressor: RandomForestRegressor | lgb.LGBMRegressor) -> None:
        self.regressor = regressor

    def fit(self, x: np.ndarray, y: np.ndarray) -> "_Flattened":
        self.regressor.fit(x.reshape(len(x), -1), y)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.regressor.predict(x.reshape(len(x), -1)), dtype=np.float64)


def fit_random_forest(x: np.ndarray, y: np.ndarray, *, seed: int = 0, n_estimators: int = 300) -> Predictor:
    """E2EPP-style forest: a third of the features per split, fully grown trees."""
    forest = RandomForestRegressor(n_estimators=n_estimators, max_features=1 / 3, random_state=seed, n_jobs=2)
    return _Flattened(forest).fit(x, y)


def fit_gbt(x: np.ndarray, y: np.ndarray, *, seed: int = 0, n_estimators: int = 500) -> Predictor:
    """LightGBM with small leaves for small training sets (min 5 cells a leaf), lr 0.05."""
    gbt = lgb.LGBMRegressor(
        n_estimators=n_estimators,
        learning_rate=0.05,
        num_leaves=31,
        min_child_samples=5,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.5,
        random_state=seed,
        n_jobs=1,  # its OpenMP threads busy-wait: a 50-cell fit took 10-34 s on a shared 2-core machine
        verbose=-1,
    )
    return _Flattened(gbt).fit(x, y)


def fit_baseline(name: str, x: np.ndarray, y: np.ndarray, *, seed: int = 0) -> Predictor:
    """``rf`` or ``gbt`` fitted on tensors x (n, C, H, W) and labels y (n,)."""
    if name == "rf":
        return fit_random_forest(x, y, seed=seed)
    if name == "gbt":
        return fit_gbt(x, y, seed=seed)
    raise KeyError(f"unknown fitted baseline {name!r}; choose rf or gbt (params needs no fitting)")


def params_scores(space: str, cells: Sequence[Hashable]) -> np.ndarray:
    """ "More parameters is better": each cell's whole-network parameter count as its score."""
    params, _ = get_space(space).cost(cells)
    return params.astype(np.float64)
