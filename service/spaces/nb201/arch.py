"""The NAS-Bench-201 cell: six edges of a complete 4-node DAG, one op on each.

Node 0 is the cell input, node 3 its output; node i is the sum of op_{j->i}(node j) over j < i.
An ``Arch`` is validated when built, so every ``Arch`` in the program is a cell of the space.
Two textual forms exist: the benchmark's arch string and a 4x4 edge matrix (see ``from_matrix``).
"""

import re
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import numpy as np

from service.spaces.base import InvalidCellError

OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
OP_CODE: dict[str, int] = {op: code for code, op in enumerate(OPS)}
_OP_NAMES = frozenset(OPS)
NONE = OP_CODE["none"]
NUM_NODES = 4
# Edge k runs EDGES[k][0] -> EDGES[k][1]; this is the order of ops in an Arch and in the arch string.
EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
EDGE_INDEX: dict[tuple[int, int], int] = {edge: k for k, edge in enumerate(EDGES)}
# The benchmark's own spelling (sources ascending), parsed in one match; anything else takes the slow path.
_BENCHMARK_SPELLING = re.compile(r"\|(\w+)~0\|\+\|(\w+)~0\|(\w+)~1\|\+\|(\w+)~0\|(\w+)~1\|(\w+)~2\|")


def _edge_name(k: int) -> str:
    return f"{EDGES[k][0]}->{EDGES[k][1]}"


@dataclass(frozen=True, slots=True)
class Arch:
    """One cell: ``ops[k]`` is the op on edge ``EDGES[k]`` (0->1, 0->2, 1->2, 0->3, 1->3, 2->3)."""

    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        if type(self.ops) is not tuple:
            if isinstance(self.ops, str) or not isinstance(self.ops, Sequence):
                raise InvalidCellError(f"ops must be a sequence of op names, got {type(self.ops).__name__}")
            object.__setattr__(self, "ops", tuple(self.ops))
        if len(self.ops) != len(EDGES):
            raise InvalidCellError(
                f"expected {len(EDGES)} ops (edges {', '.join(map(_edge_name, range(len(EDGES))))}), "
                f"got {len(self.ops)}"
            )
        with suppress(TypeError):  # unhashable entries fall through to the message below
            if _OP_NAMES.issuperset(self.ops):
                return
        for k, op in enumerate(self.ops):
            if not isinstance(op, str) or op not in OP_CODE:
                raise InvalidCellError(f"unknown op {op!r} on edge {_edge_name(k)}; known: {', '.join(OPS)}")

    @classmethod
    def from_codes(cls, codes: Sequence[int]) -> "Arch":
        """From op indices into ``OPS``, one per edge."""
        return cls(tuple(OPS[int(c)] for c in codes))

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(OP_CODE[op] for op in self.ops)

    @classmethod
    def from_string(cls, text: str) -> "Arch":
        """Parse ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``: group g (1..3) lists node g's inputs.

        Within a group the entries may come in any order, but each source node 0..g-1 exactly once.
        """
        if not isinstance(text, str):
            raise InvalidCellError(f"arch string must be a string, got {type(text).__name__}")
        match = _BENCHMARK_SPELLING.fullmatch(text)
        if match:
            return cls(match.groups())
        groups = text.split("+")
        if len(groups) != NUM_NODES - 1:
            raise InvalidCellError(f"expected {NUM_NODES - 1} groups, got {len(groups)} in {text!r}")
        ops = ["none"] * len(EDGES)
        for node, group in enumerate(groups, start=1):
            if len(group) < 2 or group[0] != "|" or group[-1] != "|":
                raise InvalidCellError(f"group {node}: malformed {group!r} (expected '|op~j|...|')")
            entries = group[1:-1].split("|")
            seen: set[int] = set()
            for entry in entries:
                op, sep, source = entry.partition("~")
                if not sep or not source.isdecimal():
                    raise InvalidCellError(f"group {node}: malformed entry {entry!r} (expected 'op~j')")
                j = int(source)
                if j >= node:
                    raise InvalidCellError(
                        f"group {node}: edge from node {j} is not allowed (node {node} takes inputs "
                        f"from nodes 0..{node - 1})"
                    )
                if j in seen:
                    raise InvalidCellError(f"group {node}: duplicate edge from node {j}")
                seen.add(j)
                if op not in OP_CODE:
                    raise InvalidCellError(f"unknown op {op!r} on edge {j}->{node}; known: {', '.join(OPS)}")
                ops[EDGE_INDEX[(j, node)]] = op
            if len(seen) != node:
                missing = sorted(set(range(node)) - seen)
                raise InvalidCellError(f"group {node}: missing edge from node(s) {missing}")
        return cls(tuple(ops))

    def to_string(self) -> str:
        """The benchmark's arch string, sources in ascending order (the benchmark's own spelling)."""
        return "+".join(
            "|" + "|".join(f"{self.ops[EDGE_INDEX[(j, i)]]}~{j}" for j in range(i)) + "|"
            for i in range(1, NUM_NODES)
        )

    def __str__(self) -> str:
        return self.to_string()

    @classmethod
    def from_matrix(cls, matrix: Any) -> "Arch":
        """From a 4x4 matrix: ``matrix[j][i]`` (j < i) is the op on edge j->i.

        Entries on and below the diagonal are not edges and must be null or "none".
        """
        if isinstance(matrix, str) or not isinstance(matrix, Sequence):
            raise InvalidCellError(f"matrix must be a 4x4 list of rows, got {type(matrix).__name__}")
        if len(matrix) != NUM_NODES:
            raise InvalidCellError(f"matrix must be {NUM_NODES}x{NUM_NODES}, got {len(matrix)} rows")
        ops = ["none"] * len(EDGES)
        for j, row in enumerate(matrix):
            if isinstance(row, str) or not isinstance(row, Sequence):
                raise InvalidCellError(f"matrix row {j} must be a list, got {type(row).__name__}")
            if len(row) != NUM_NODES:
                raise InvalidCellError(f"matrix row {j} has {len(row)} entries, expected {NUM_NODES}")
            for i, entry in enumerate(row):
                if j < i:
                    if not isinstance(entry, str):
                        raise InvalidCellError(f"matrix[{j}][{i}]: expected an op name, got {entry!r}")
                    if entry not in OP_CODE:
                        raise InvalidCellError(
                            f"unknown op {entry!r} on edge {j}->{i}; known: {', '.join(OPS)}"
                        )
                    ops[EDGE_INDEX[(j, i)]] = entry
                elif entry not in (None, "none"):
                    raise InvalidCellError(
                        f"matrix[{j}][{i}]: {j}->{i} is not an edge (only j < i holds ops), "
                        f"must be null or 'none', got {entry!r}"
                    )
        return cls(tuple(ops))

    def to_matrix(self) -> list[list[str | None]]:
        """4x4 matrix of op names on edges j->i (j < i), null elsewhere."""
        return [
            [self.ops[EDGE_INDEX[(j, i)]] if j < i else None for i in range(NUM_NODES)]
            for j in range(NUM_NODES)
        ]


def codes_of(archs: Sequence[Arch]) -> np.ndarray:
    """(len(archs), 6) int64 op indices: the batched form the vectorised functions read."""
    flat = np.fromiter((OP_CODE[op] for arch in archs for op in arch.ops), dtype=np.int64)
    return flat.reshape(len(archs), len(EDGES))
