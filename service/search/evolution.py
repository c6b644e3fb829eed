"""Evolutionary search with the predictor score as fitness, as in ReNAS (Xu et al., CVPR 2021, sec. 4).

ReNAS searches with population 64, at most 500 generations and selection / crossover / mutation
probabilities 0.5 / 0.3 / 0.2; how it applies them could not be checked against the paper's text,
so here they are *shares of each new generation*, a generational GA with truncation selection:

- selection: the best ``round(0.5 * 64) = 32`` members survive unchanged and are the parents;
- crossover: ``round(0.3 * 64) = 19`` children of ``space.crossover`` on two distinct parents
  drawn uniformly from the survivors;
- mutation: the remaining 13 children of ``space.mutate`` on one parent drawn uniformly.

A child is kept only if its canonical identity was never proposed before and it is within the cost
budget. Failed slots are redrawn, up to ``_BREED_ROUNDS`` rounds and only while the operator still
finds new cells; slots still empty get *random immigrants* (``space.sample``). Once the survivors
cluster, their unseen offspring run out (seen on nb101, where a random-weight predictor's top cells
are small and their neighbourhoods overlap), and without immigrants the search would stall. If
sampling finds nothing new either, the best non-surviving members of the old generation fill the
slots, so the population size holds. Each generation's new cells are scored in one scorer call;
no identity is ever scored twice. The search stops after ``generations`` generations, when
``should_stop()`` is true between generations, or when no new cell can be found at all (spaces
smaller than the search).
"""

from collections.abc import Sequence

import numpy as np

from service.search.constraints import Budget
from service.search.evaluator import Evaluator
from service.search.params import EvolutionParams
from service.search.types import Cell, ProgressCallback, Scorer, SearchResult, StopCheck
from service.spaces.base import Space

_BREED_ROUNDS = 3  # redraws for offspring slots whose child was a duplicate or over the budget
_IMMIGRANT_ROUNDS = 3  # sampling rounds for slots breeding could not fill
_SEED_ROUNDS = 100  # sampling rounds to find an initial population of distinct cells within the budget


def evolution_search(
    space: Space,
    scorer: Scorer,
    *,
    params: EvolutionParams,
    top_k: int,
    seed: int | None,
    budget: Budget,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> SearchResult:
    rng = np.random.default_rng(seed)
    evaluator = Evaluator(space, scorer, budget=budget, top_k=top_k)
    stop = should_stop or (lambda: False)

    if stop():
        return evaluator.result(0, cancelled=True)
    cells, identities = _initial_population(space, evaluator, rng, params.population)
    if not cells:
        return evaluator.result(0, cancelled=False)
    scores = evaluator.score(cells, identities)
    evaluator.report(0, on_progress)

    size = params.population
    n_parents = min(size - 1, max(1, round(size * params.selection)))
    n_cross = min(size - n_parents, round(size * params.crossover))
    n_mutants = size - n_parents - n_cross
    for generation in range(1, params.generations + 1):
        if stop():
            return evaluator.result(generation - 1, cancelled=True)
        order = np.argsort(-scores, kind="stable")
        parents = [cells[i] for i in order[:n_parents]]
        children, child_identities = _breed(space, evaluator, rng, parents, n_cross, n_mutants)
        if not children:
            return evaluator.result(generation - 1, cancelled=False)
        child_scores = evaluator.score(children, child_identities)
        keep = order[: size - len(children)]  # the parents, padded with the next best if slots stayed empty
        cells = [cells[i] for i in keep] + children
        scores = np.concatenate([scores[keep], child_scores])
        evaluator.report(generation, on_progress)
    return evaluator.result(params.generations, cancelled=False)


def _initial_population(
    space: Space, evaluator: Evaluator, rng: np.random.Generator, size: int
) -> tuple[list[Cell], list[str]]:
    """Up to ``size`` distinct cells within the budget, sampled uniformly."""
    cells: list[Cell] = []
    identities: list[str] = []
    for _ in range(_SEED_ROUNDS):
        if len(cells) >= size:
            break
        admitted, admitted_ids = evaluator.admit(space.sample(rng, size))
        cells += admitted[: size - len(cells)]
        identities += admitted_ids[: size - len(identities)]
    return cells, identities


def _breed(
    space: Space,
    evaluator: Evaluator,
    rng: np.random.Generator,
    parents: Sequence[Cell],
    n_cross: int,
    n_mutants: int,
) -> tuple[list[Cell], list[str]]:
    """Up to ``n_cross`` crossover and ``n_mutants`` mutation children (new, within budget), then
    random immigrants for the slots left empty."""
    children: list[Cell] = []
    identities: list[str] = []
    n = len(parents)
    missing = 0  # slots left to random immigrants
    for _ in range(_BREED_ROUNDS):
        if n_cross == 0 and n_mutants == 0:
            break
        first = rng.integers(0, n, size=n_cross)
        second = (first + rng.integers(1, n, size=n_cross)) % n if n > 1 else first
        crossed, crossed_ids = evaluator.admit(
            [space.crossover(parents[a], parents[b], rng) for a, b in zip(first, second, strict=True)]
        )
        mutated, mutated_ids = evaluator.admit(
            [space.mutate(parents[i], rng) for i in rng.integers(0, n, size=n_mutants)]
        )
        children += crossed + mutated
        identities += crossed_ids + mutated_ids
        n_cross -= len(crossed)
        n_mutants -= len(mutated)
        if not crossed:  # nothing new around these parents: retrying is wasted work
            missing, n_cross = missing + n_cross, 0
        if not mutated:
            missing, n_mutants = missing + n_mutants, 0
    missing += n_cross + n_mutants
    for _ in range(_IMMIGRANT_ROUNDS):
        if missing == 0:
            break
        immigrants, immigrant_ids = evaluator.admit(space.sample(rng, missing))
        children += immigrants
        identities += immigrant_ids
        missing -= len(immigrants)
    return children, identities
