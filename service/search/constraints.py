"""Cost budgets: which cells a search may score and return at all.

Cells over a budget are dropped *before* scoring (cost is cheap and exact, scoring is not), so they
are never scored, never counted as evaluated and never returned.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.search.types import Cell
from service.spaces.base import Space


@dataclass(frozen=True)
class Budget:
    max_params: int | None = None
    max_flops: int | None = None

    @property
    def unlimited(self) -> bool:
        return self.max_params is None and self.max_flops is None

    def allows(self, space: Space, cells: Sequence[Cell]) -> np.ndarray:
        """Boolean mask: which cells are within both limits (all True without limits, no cost computed)."""
        if self.unlimited or not cells:
            return np.ones(len(cells), dtype=bool)
        params, flops = space.cost(cells)
        mask = np.ones(len(cells), dtype=bool)
        if self.max_params is not None:
            mask &= np.asarray(params) <= self.max_params
        if self.max_flops is not None:
            mask &= np.asarray(flops) <= self.max_flops
        return mask
