"""What every cell space offers: the contract that search, trainer and service are written against.

A space turns user JSON into validated, hashable cells, gives each its canonical identity, encodes
batches of cells into the float32 tensors the predictors read, counts their cost, and samples,
mutates and recombines cells for search. Implementations are pure functions of their inputs
(randomness only through the ``numpy.random.Generator`` passed in).
"""

from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import numpy as np


class InvalidCellError(ValueError):
    """A cell that is not in its space.

    The message says what is wrong, e.g. "ops[3]: unknown op 'conv5x5'".
    """


class Space(Protocol):
    """A search space of cells (``C`` is the space's immutable, hashable cell type)."""

    name: str  # "nb101" | "nb201"
    # encoding name -> per-cell tensor shape, e.g. {"renas-full": (19, 7, 7), "renas-type": (1, 7, 7)}
    encodings: Mapping[str, tuple[int, ...]]
    default_encoding: str
    encoding_version: int  # bumped whenever any encoding's numbers change; model cards record it

    def parse(self, obj: Mapping[str, Any]) -> Hashable:
        """Cell from its JSON form; raises InvalidCellError naming the problem."""
        ...

    def to_json(self, cell: Hashable) -> dict[str, Any]:
        """JSON form that ``parse`` accepts back."""
        ...

    def identity(self, cell: Hashable) -> str:
        """Canonical identity: equal exactly for isomorphic (same-network) cells."""
        ...

    def identities(self, cells: Sequence[Hashable]) -> list[str]:
        """``identity`` of every cell, in order (batched: how requests and searches ask)."""
        ...

    def encode(self, cells: Sequence[Hashable], encoding: str | None = None) -> np.ndarray:
        """float32 array (len(cells), *encodings[encoding]); identical for isomorphic cells."""
        ...

    def cost(self, cells: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray]:
        """(params, flops) int64 arrays: whole-network trainable parameters and multiply-adds."""
        ...

    def sample(self, rng: np.random.Generator, n: int) -> list[Hashable]:
        """n cells drawn uniformly from the valid cells (duplicates possible)."""
        ...

    def mutate(self, cell: Hashable, rng: np.random.Generator) -> Hashable:
        """A valid neighbour differing by one edit."""
        ...

    def crossover(self, a: Hashable, b: Hashable, rng: np.random.Generator) -> Hashable:
        """A valid child mixing two parents."""
        ...

    def enumerate(self) -> Iterator[Hashable]:
        """Every cell of the space, one per canonical identity where the space is large (nb101)."""
        ...
