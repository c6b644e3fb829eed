"""The summary statistic of every results table (Table 1, the search tables): one definition, so a
± means the same thing everywhere."""

from collections.abc import Iterable

import numpy as np


def mean_std(values: Iterable[float]) -> dict[str, float | int | None]:
    """Mean and sample standard deviation (ddof=1) over seeds; std is None for a single value."""
    arr = np.asarray(list(values), dtype=np.float64)
    return {
        "mean": float(arr.mean()),
        "std": float(arr.std(ddof=1)) if len(arr) > 1 else None,
        "n": len(arr),
    }


def plus_minus(stat: dict[str, float | int | None], digits: int = 2) -> str:
    """'mean ± std' (just the mean when there is one value)."""
    mean = f"{stat['mean']:.{digits}f}"
    return mean if stat["std"] is None else f"{mean} ± {stat['std']:.{digits}f}"
