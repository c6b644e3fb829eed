"""Toys for the search tests: a bit-string ``Space`` and scorers that record what they were asked.

The space's cells are bit-strings whose reversal is the same network: small enough to enumerate
(2**length cells), with isomorphic duplicates (a string and its reverse share one identity) so
deduplication is observable, and a cost (params = 1000 per set bit) so budgets are. Toy scores
read the encoding, which is the canonical (smaller) orientation.
"""

from collections.abc import Iterator, Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np

from service.spaces.base import InvalidCellError

Bits = tuple[int, ...]
PARAMS_PER_BIT = 1000
FLOPS_PER_BIT = 10_000


class BitStringSpace:
    encoding_version = 1
    default_encoding = "bits"

    def __init__(self, length: int, *, one_per_identity: bool = False) -> None:
        self.length = length
        self.one_per_identity = one_per_identity  # enumerate canonical strings only, as nb101 does
        self.identity_calls = 0
        self.name = f"bits{length}"
        self.encodings = {"bits": (length,)}

    def parse(self, obj: Mapping[str, Any]) -> Bits:
        text = obj.get("bits", "")
        if len(text) != self.length or set(text) - {"0", "1"}:
            raise InvalidCellError(f"bits: expected {self.length} characters 0/1, got {text!r}")
        return tuple(int(ch) for ch in text)

    def to_json(self, cell: Bits) -> dict[str, Any]:
        return {"bits": "".join(map(str, cell))}

    def canonical(self, cell: Bits) -> Bits:
        return min(cell, cell[::-1])

    def identity(self, cell: Bits) -> str:
        self.identity_calls += 1
        return "".join(map(str, self.canonical(cell)))

    def identities(self, cells: Sequence[Bits]) -> list[str]:
        return [self.identity(c) for c in cells]

    def encode(self, cells: Sequence[Bits], encoding: str | None = None) -> np.ndarray:
        assert encoding in (None, "bits")
        return np.array([self.canonical(c) for c in cells], dtype=np.float32).reshape(len(cells), self.length)

    def cost(self, cells: Sequence[Bits]) -> tuple[np.ndarray, np.ndarray]:
        ones = np.array([sum(c) for c in cells], dtype=np.int64)
        return ones * PARAMS_PER_BIT, ones * FLOPS_PER_BIT

    def sample(self, rng: np.random.Generator, n: int) -> list[Bits]:
        return [tuple(int(b) for b in row) for row in rng.integers(0, 2, size=(n, self.length))]

    def mutate(self, cell: Bits, rng: np.random.Generator) -> Bits:
        i = int(rng.integers(self.length))
        return (*cell[:i], 1 - cell[i], *cell[i + 1 :])

    def crossover(self, a: Bits, b: Bits, rng: np.random.Generator) -> Bits:
        cut = int(rng.integers(1, self.length))
        return a[:cut] + b[cut:]

    def enumerate(self) -> Iterator[Bits]:
        cells = product((0, 1), repeat=self.length)
        return (c for c in cells if c == self.canonical(c)) if self.one_per_identity else cells


def distance_scorer(space: BitStringSpace, target: Bits):
    """Minus the Hamming distance of the canonical form to ``target``'s: unique optimum ``target``."""
    goal = space.encode([target])[0]

    def score(cells: Sequence[Bits]) -> np.ndarray:
        return -np.abs(space.encode(cells) - goal).sum(axis=1)

    return score


class SpyScorer:
    """Wraps a scorer and records each batch it was called with."""

    def __init__(self, space: BitStringSpace, inner) -> None:
        self.space = space
        self.inner = inner
        self.calls: list[list[Bits]] = []

    def __call__(self, cells: Sequence[Bits]) -> np.ndarray:
        self.calls.append(list(cells))
        return self.inner(cells)

    @property
    def identities(self) -> list[str]:
        return [self.space.identity(c) for batch in self.calls for c in batch]
