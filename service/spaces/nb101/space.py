"""``NB101_SPACE``: the NAS-Bench-101 cell space behind the ``Space`` contract (service.spaces.base).

JSON form: ``{"matrix": [[0, 1, ...], ...], "ops": ["input", ..., "output"]}`` (n x n, 2 <= n <= 7).
Identity is the benchmark's module hash, so it can be looked up in the benchmark's tables (batches
are looked up in the ``hash_table`` a space is constructed with: ``NB101Space(hash_table=...)``);
costs and tensors are computed on the canonical member of the cell's class (the one the benchmark
stored), so they too are the same for every isomorphic cell and equal the official numbers.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from service.spaces.base import InvalidCellError
from service.spaces.nb101 import sampling
from service.spaces.nb101.canonical import canonical_padded
from service.spaces.nb101.cell import Cell
from service.spaces.nb101.cost import network_cost
from service.spaces.nb101.encoding import ENCODING_VERSION, FULL, SHAPES
from service.spaces.nb101.encoding import encode as encode_cells
from service.spaces.nb101.enumeration import enumerate_cells
from service.spaces.nb101.hash_table import HashTable


class NB101Space:
    name = "nb101"
    encodings: Mapping[str, tuple[int, ...]] = SHAPES
    default_encoding = FULL
    encoding_version = ENCODING_VERSION

    def __init__(self, hash_table: HashTable | None = None) -> None:
        self._hash_table = hash_table  # every class's module hash, where the process has loaded it

    @property
    def hash_table(self) -> HashTable | None:
        return self._hash_table

    def parse(self, obj: Mapping[str, Any]) -> Cell:
        """Cell from ``{"matrix": ..., "ops": ...}``; InvalidCellError names what is wrong."""
        if not isinstance(obj, Mapping):
            raise InvalidCellError(
                f'a cell is an object {{"matrix": ..., "ops": ...}}, got {type(obj).__name__}'
            )
        missing = [key for key in ("matrix", "ops") if key not in obj]
        if missing:
            raise InvalidCellError(f"missing {' and '.join(repr(k) for k in missing)}")
        return Cell(obj["matrix"], obj["ops"])

    def to_json(self, cell: Cell) -> dict[str, Any]:
        """The pruned cell (``parse`` gives back an equal cell)."""
        return {"matrix": cell.matrix.tolist(), "ops": list(cell.ops)}

    def identity(self, cell: Cell) -> str:
        """The benchmark's module hash (md5 hex)."""
        return cell.module_hash

    def identities(self, cells: Sequence[Cell]) -> list[str]:
        """Module hashes of a batch: looked up in ``hash_table`` if there is one, else computed per cell."""
        table = self._hash_table
        return table.identities(cells) if table is not None else [c.module_hash for c in cells]

    def encode(self, cells: Sequence[Cell], encoding: str | None = None) -> np.ndarray:
        """float32 (N, *encodings[encoding]) ReNAS tensors; KeyError for an unknown encoding."""
        return encode_cells(list(cells), encoding or self.default_encoding)

    def cost(self, cells: Sequence[Cell]) -> tuple[np.ndarray, np.ndarray]:
        """(params, FLOPs) of the whole network, computed on each cell's canonical member."""
        return network_cost(*canonical_padded(list(cells)))

    def sample(self, rng: np.random.Generator, n: int) -> list[Cell]:
        return sampling.sample(rng, n)

    def mutate(self, cell: Cell, rng: np.random.Generator) -> Cell:
        return sampling.mutate(cell, rng)

    def crossover(self, a: Cell, b: Cell, rng: np.random.Generator) -> Cell:
        return sampling.crossover(a, b, rng)

    def enumerate(self) -> Iterator[Cell]:
        """All 423,624 cells, one per class, as canonical members, built lazily in the benchmark's order."""
        return enumerate_cells()


NB101_SPACE = NB101Space()
