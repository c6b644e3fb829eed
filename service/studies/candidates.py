"""The cells an acquisition chooses among: pure functions of the space, the pool, the study's
constraints, what it has seen and a seeded Generator.

A fixed pool is scored whole; so is a small space (nb201's 15,625 cells). In a large space (nb101's
423,624 networks) candidates are bred from the best told cells, as regularised evolution and BANANAS
do (mutations, one and two edits away, and crossovers), plus uniform draws that keep the search from
settling around the first good cells.
"""

from collections.abc import Hashable, Sequence
from functools import cache

import numpy as np

from service.search.constraints import Budget
from service.spaces import SPACES, Space
from service.studies.design import draw_from_space

BRED_PER_PARENT = 100  # mutants and crossover children of each parent
PARENTS = 10  # the best told cells bred from
RANDOM_CANDIDATES = 2_000  # uniform draws beside them


@cache
def _whole(space: Space) -> tuple[tuple[Hashable, ...], tuple[str, ...]]:
    """Every cell of a small space and its identity, one per network (computed once per process)."""
    cells: dict[str, Hashable] = {}
    every = list(space.enumerate())
    for cell, identity in zip(every, space.identities(every), strict=True):
        cells.setdefault(identity, cell)
    return tuple(cells.values()), tuple(cells)


def space_candidates(
    space: Space,
    rng: np.random.Generator,
    *,
    seen: set[str],
    budget: Budget,
    parents: Sequence[Hashable],
) -> list[tuple[Hashable, str]]:
    """Unseen (cell, identity) pairs within ``budget``: the whole space when it is small, else bred from
    ``parents`` (best first) and drawn uniformly."""
    if SPACES[space.name].scored_whole:
        cells, identities = _whole(space)
        pairs = [(c, i) for c, i in zip(cells, identities, strict=True) if i not in seen]
    else:
        pairs = _bred(space, rng, seen, parents[:PARENTS])
        taken = seen | {identity for _, identity in pairs}
        pairs += draw_from_space(space, rng, RANDOM_CANDIDATES, seen=taken, budget=Budget())
    allowed = budget.allows(space, [cell for cell, _ in pairs])
    return [pair for pair, ok in zip(pairs, allowed, strict=True) if ok]


def _bred(
    space: Space, rng: np.random.Generator, seen: set[str], parents: Sequence[Hashable]
) -> list[tuple[Hashable, str]]:
    children: list[Hashable] = []
    for parent in parents:
        for k in range(BRED_PER_PARENT):
            if k % 3 == 2 and len(parents) > 1:
                other = parents[int(rng.integers(len(parents)))]
                children.append(space.crossover(parent, other, rng))
            else:
                child = space.mutate(parent, rng)
                children.append(space.mutate(child, rng) if k % 3 == 1 else child)
    unique: dict[str, Hashable] = {}
    for child, identity in zip(children, space.identities(children), strict=True):
        if identity not in seen:
            unique.setdefault(identity, child)
    return [(cell, identity) for identity, cell in unique.items()]
