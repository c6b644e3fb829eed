"""Architecture search over a ``Space`` with a predictor as the judge (pure numpy; no torch, no ONNX).

Call ``run_search(strategy, space, scorer, ...)`` (``dispatch.py``); build the scorer with
``make_scorer(space, predict, encoding)`` (``scorer.py``). Where each part lives:

- ``evolution.py``: ReNAS's evolutionary search (population 64, 500 generations, 0.5 / 0.3 / 0.2);
- ``exhaustive.py``: every network of ``space.enumerate()``, scored once, in batches;
- ``random_search.py``: uniform random sampling, the baseline;
- ``params.py``: each strategy's validated parameters; ``constraints.py``: params / FLOPs budgets;
- ``evaluator.py`` (score each identity once, within budget) and ``topk.py`` (best distinct cells);
- ``types.py``: ``Candidate``, ``SearchResult``, ``Progress``, ``Scorer``.
"""

from service.search.dispatch import STRATEGIES, Strategy, run_search
from service.search.params import PARAMS, EvolutionParams, ExhaustiveParams, RandomParams
from service.search.scorer import make_scorer
from service.search.types import Candidate, Progress, Scorer, SearchResult

__all__ = [
    "PARAMS",
    "STRATEGIES",
    "Candidate",
    "EvolutionParams",
    "ExhaustiveParams",
    "Progress",
    "RandomParams",
    "Scorer",
    "SearchResult",
    "Strategy",
    "make_scorer",
    "run_search",
]
