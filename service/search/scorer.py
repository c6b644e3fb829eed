"""Turning a predictor into a scorer, and calling scorers defensively (one checked batch call)."""

from collections.abc import Callable, Sequence

import numpy as np

from service.search.types import Cell, Scorer
from service.spaces.base import Space


def make_scorer(
    space: Space, predict: Callable[[np.ndarray], np.ndarray], encoding: str | None = None
) -> Scorer:
    """Scorer that encodes a batch with ``space.encode(cells, encoding)`` and returns ``predict(tensor)``.

    ``predict`` maps a float32 (n, *shape) tensor to n scores (an (n,) or (n, 1) array), e.g. an
    onnxruntime session's run wrapped in a lambda, or a torch model under no_grad.
    """
    if encoding is not None and encoding not in space.encodings:
        known = ", ".join(sorted(space.encodings))
        raise ValueError(f"space {space.name!r} has no encoding {encoding!r}; known: {known}")

    def score(cells: Sequence[Cell]) -> np.ndarray:
        return np.asarray(predict(space.encode(cells, encoding)))

    return score


def score_batch(scorer: Scorer, cells: Sequence[Cell]) -> np.ndarray:
    """float64 (n,) scores from one scorer call; ValueError if the scorer's answer cannot be trusted."""
    if not cells:
        return np.empty(0)
    raw = np.asarray(scorer(cells), dtype=np.float64)
    if raw.size != len(cells) or (raw.ndim > 1 and raw.shape[0] != len(cells)):
        raise ValueError(
            f"scorer returned shape {raw.shape} for {len(cells)} cells, expected ({len(cells)},)"
        )
    scores = raw.reshape(len(cells))
    if not np.isfinite(scores).all():
        raise ValueError(f"scorer returned {int((~np.isfinite(scores)).sum())} non-finite scores")
    return scores
