"""Which cells a study proposes: pure functions of the space, the study's pool and constraints, the
identities it has already seen, and a seeded Generator.

Until a predictor exists the proposal is the initial design: cells drawn uniformly from the pool
(or the space), never one whose network was already asked, told or failed, and only within the cost
limits. Uniform draws are what BANANAS and SMAC start from; they spread over the space without
assuming anything about it.
"""

from collections.abc import Hashable, Sequence

import numpy as np

from service.search.constraints import Budget
from service.spaces import Space

SAMPLING_ROUNDS = 50  # draws of 4n cells from a space before giving up on finding n unseen ones


def draw_from_space(
    space: Space, rng: np.random.Generator, n: int, *, seen: set[str], budget: Budget
) -> list[tuple[Hashable, str]]:
    """Up to ``n`` (cell, identity) pairs of distinct unseen networks within ``budget``, drawn uniformly."""
    chosen: list[tuple[Hashable, str]] = []
    taken = set(seen)
    for _ in range(SAMPLING_ROUNDS):
        drawn = space.sample(rng, 4 * n)
        allowed = budget.allows(space, drawn)
        for cell, identity, ok in zip(drawn, space.identities(drawn), allowed, strict=True):
            if ok and identity not in taken:
                taken.add(identity)
                chosen.append((cell, identity))
                if len(chosen) == n:
                    return chosen
    return chosen


def draw_from_pool(rng: np.random.Generator, n: int, *, seen: set[str], pool: Sequence[str]) -> list[int]:
    """Up to ``n`` positions in ``pool`` (the pool's identities, each within the constraints: checked
    when the study was made) of unseen networks, drawn uniformly, in pool order."""
    unseen = [i for i, identity in enumerate(pool) if identity not in seen]
    if not unseen:
        return []
    return sorted(unseen[i] for i in rng.choice(len(unseen), size=min(n, len(unseen)), replace=False))
