"""The module hash of every NAS-Bench-101 class, precomputed: identity by lookup instead of md5 rounds.

Hashing is the costliest step of scoring cells the service has not seen: about 50 µs a cell of
Python md5 rounds (``graph.edge_hash``), half of a 1,000-cell /rank. Row i of the table is the 16-byte
md5 digest of class i, classes numbered as ``canonical`` numbers them (vertex count, then canonical
edge integer, then labels), so a batch is canonicalised with numpy (``canonical.canonical_groups``)
and looked up in one indexing. Building it hashes each of the 423,624 classes once (about 30 s on
one core); the 6.8 MB file is cached on disk and spot-checked against fresh hashes when loaded.

A table may hold only the classes up to some vertex count (a prefix of the numbering, e.g. for
tests); cells with more vertices are hashed as before.
"""

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from service.spaces.nb101.canonical import canonical_cells, canonical_classes, canonical_groups, class_numbers
from service.spaces.nb101.cell import MAX_VERTICES, MIN_VERTICES, OP_CODE, Cell
from service.spaces.nb101.enumeration import UNIQUE_CELLS_UP_TO
from service.spaces.nb101.graph import edge_hash

DIGEST_BYTES = 16
_CHECKED_ROWS = 64  # rows re-hashed when a table is loaded: a stale or damaged file fails loudly


class HashTableError(ValueError):
    """A table file that is not a (prefix of the) module-hash table of this space."""


def _digests(n: int, bits: np.ndarray, labels: np.ndarray) -> list[bytes]:
    first, last = OP_CODE["input"], OP_CODE["output"]
    compute = edge_hash.__wrapped__  # uncached: each class is hashed once, a cache would only churn
    return [
        bytes.fromhex(compute(n, b, (first, *(label + 1 for label in row), last)))
        for b, row in zip(bits.tolist(), labels.tolist(), strict=True)
    ]


def build(max_vertices: int = MAX_VERTICES) -> np.ndarray:
    """(classes, 16) uint8: the digest of every class with up to ``max_vertices`` vertices, in order."""
    rows: list[bytes] = []
    for n in range(MIN_VERTICES, max_vertices + 1):
        rows += _digests(n, *canonical_classes(n))
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), DIGEST_BYTES)


def save(table: np.ndarray, path: Path) -> None:
    """Write ``table`` as .npy atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with partial.open("wb") as f:
        np.save(f, table)
    os.replace(partial, path)


class HashTable:
    """Module hashes of the classes a table file holds, looked up for whole batches of cells."""

    def __init__(self, digests: np.ndarray) -> None:
        if digests.dtype != np.uint8 or digests.ndim != 2 or digests.shape[1] != DIGEST_BYTES:
            shape = f"{digests.dtype} {digests.shape}"
            raise HashTableError(f"expected (classes, {DIGEST_BYTES}) uint8, got {shape}")
        sizes = {count: n for n, count in UNIQUE_CELLS_UP_TO.items()}
        if len(digests) not in sizes:
            raise HashTableError(f"{len(digests):,} rows is not the class count up to any vertex count")
        self.digests = digests
        self.max_vertices = sizes[len(digests)]

    @classmethod
    def load(cls, path: Path) -> "HashTable":
        """The table in ``path`` (memory-mapped), after re-hashing a spread of its rows."""
        try:
            digests = np.load(path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise HashTableError(f"cannot read {path}: {exc}") from exc
        table = cls(digests)
        numbers = np.linspace(0, len(digests) - 1, _CHECKED_ROWS, dtype=np.int64)
        for number, cell in zip(numbers.tolist(), canonical_cells(numbers), strict=True):
            if bytes(digests[number]).hex() != cell.module_hash:
                raise HashTableError(f"{path}: row {number} is not that class's module hash")
        return table

    def identities(self, cells: Sequence[Cell]) -> list[str]:
        """``cell.module_hash`` of every cell (md5 hex), in order."""
        out = [""] * len(cells)
        for n, index, bits, labels in canonical_groups(cells):
            if n > self.max_vertices:
                for i in index.tolist():
                    out[i] = cells[i].module_hash
                continue
            raw = self.digests[class_numbers(n, bits, labels)].tobytes()
            for k, i in enumerate(index.tolist()):
                out[i] = raw[k * DIGEST_BYTES : (k + 1) * DIGEST_BYTES].hex()
        return out
