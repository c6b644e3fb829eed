"""A NAS-Bench-101 cell: validated, pruned, immutable and hashable (after nasbench's ``ModelSpec``).

``Cell(matrix, ops)`` checks the input, drops every vertex that is not on an input->output path
(as the benchmark does), then checks the pruned graph against the space (at most 9 edges). Any
problem raises ``InvalidCellError`` with a message naming it, e.g. "ops[3]: unknown op 'conv5x5'".

Two cells are equal when their pruned matrices and ops are equal; isomorphic cells with different
vertex numbering are *not* equal, they share ``module_hash`` (the benchmark's hash, the identity).
Internally a cell is its vertex count, its edges as one integer in the benchmark's bit order
(bit ``x + y(y-1)/2`` is the edge x->y, see ``graph.bit_index``) and its op codes, so that
batches are unpacked with numpy without touching Python lists.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from service.spaces.base import InvalidCellError
from service.spaces.nb101.graph import edge_hash

INPUT = "input"
CONV3X3 = "conv3x3-bn-relu"
CONV1X1 = "conv1x1-bn-relu"
MAXPOOL3X3 = "maxpool3x3"
OUTPUT = "output"
# Op codes are indices into OPS; interior codes 1..3 follow the benchmark's op order.
OPS = (INPUT, CONV3X3, CONV1X1, MAXPOOL3X3, OUTPUT)
INTERIOR_OPS = (CONV3X3, CONV1X1, MAXPOOL3X3)
OP_CODE = {op: code for code, op in enumerate(OPS)}
MIN_VERTICES = 2
MAX_VERTICES = 7
MAX_EDGES = 9


class Cell:
    """One cell of the space; ``matrix``/``ops`` are pruned, ``original_*`` are as given."""

    __slots__ = ("_key", "_module_hash", "_original")

    def __init__(self, matrix: Sequence[Sequence[Any]] | np.ndarray, ops: Sequence[str]) -> None:
        self._build(_row_masks(matrix), ops)

    def _build(self, succ: list[int], ops: Sequence[str]) -> None:
        """Validate ops, prune and check the pruned graph; ``succ[v]`` is row v's bit mask."""
        n = len(succ)
        codes = _op_codes(ops, n)
        kept = _on_input_output_paths(succ, n)
        if not kept >> (n - 1) & 1:
            raise InvalidCellError("output not reachable from input")
        if kept == (1 << n) - 1:
            keep = range(n)
            bits = 0
            for x, mask in enumerate(succ):
                bits |= _ROW_BITS[x][mask]
            kept_codes = tuple(codes)
        else:
            keep = [v for v in range(n) if kept >> v & 1]
            bits = 0
            for y, old_y in enumerate(keep):
                for x, old_x in enumerate(keep[:y]):
                    if succ[old_x] >> old_y & 1:
                        bits |= 1 << (x + y * (y - 1) // 2)
            kept_codes = tuple(codes[v] for v in keep)
        edges = bits.bit_count()
        if edges > MAX_EDGES:
            raise InvalidCellError(f"{edges} edges > {MAX_EDGES} (counted after pruning)")
        self._original = (tuple(succ), tuple(ops))
        self._key = (len(keep), bits, kept_codes)
        self._module_hash: str | None = None

    @classmethod
    def from_bits(cls, num_vertices: int, bits: int, codes: Sequence[int]) -> "Cell":
        """Cell from the compact form (vertex count, edge bits, op codes); validated like any other."""
        if num_vertices not in _PAIRS or not 0 <= bits < 1 << len(_PAIRS[num_vertices]):
            raise InvalidCellError(f"no {num_vertices}-vertex cell has edge bits {bits}")
        succ = [0] * num_vertices
        for x, y in _PAIRS[num_vertices]:
            if bits >> (x + y * (y - 1) // 2) & 1:
                succ[x] |= 1 << y
        cell = cls.__new__(cls)
        cell._build(succ, [OPS[c] for c in codes])
        return cell

    @property
    def original_matrix(self) -> np.ndarray:
        """The matrix as given, before pruning (read-only int8)."""
        succ = self._original[0]
        n = len(succ)
        matrix = ((np.array(succ)[:, None] >> np.arange(n)) & 1).astype(np.int8)
        matrix.flags.writeable = False
        return matrix

    @property
    def original_ops(self) -> tuple[str, ...]:
        return self._original[1]

    @property
    def num_vertices(self) -> int:
        return self._key[0]

    @property
    def bits(self) -> int:
        """Pruned edges, bit ``x + y(y-1)/2`` for the edge x->y (the benchmark's bit order)."""
        return self._key[1]

    @property
    def codes(self) -> tuple[int, ...]:
        """Pruned op codes (indices into ``OPS``)."""
        return self._key[2]

    @property
    def ops(self) -> tuple[str, ...]:
        return tuple(OPS[c] for c in self._key[2])

    @property
    def matrix(self) -> np.ndarray:
        """Pruned adjacency matrix (read-only int8)."""
        n, bits, _ = self._key
        rows, cols = _UPPER[n]
        matrix = np.zeros((n, n), dtype=np.int8)
        matrix[rows, cols] = (bits >> np.arange(len(rows))) & 1
        matrix.flags.writeable = False
        return matrix

    @property
    def module_hash(self) -> str:
        """The benchmark's module hash (``graph.edge_hash``), computed once per cell object."""
        if self._module_hash is None:
            self._module_hash = edge_hash(*self._key)
        return self._module_hash

    @property
    def num_edges(self) -> int:
        return self._key[1].bit_count()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        return f"Cell(matrix={self.matrix.tolist()}, ops={list(self.ops)})"


def _row_masks(matrix: Sequence[Sequence[Any]] | np.ndarray) -> list[int]:
    """Each row's out-edges as a bit mask (bit w: edge to w); checks what ``_matrix_problem`` names."""
    rows = matrix if type(matrix) is list else matrix.tolist() if isinstance(matrix, np.ndarray) else matrix
    try:
        n = len(rows)
        table = _ROW_MASK[n]
        masks = [table[tuple(row)] for row in rows]
    except (TypeError, KeyError):
        raise InvalidCellError(_matrix_problem(rows)) from None
    for i, mask in enumerate(masks):
        if mask & ((2 << i) - 1):
            raise InvalidCellError(_matrix_problem(rows))
    return masks


def _matrix_problem(rows: Any) -> str:
    """What is wrong with a matrix that failed the fast checks."""
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        return f"matrix must be a list of rows, got {type(rows).__name__}"
    n = len(rows)
    if not MIN_VERTICES <= n <= MAX_VERTICES:
        return f"matrix has {n} vertices; a cell has {MIN_VERTICES} to {MAX_VERTICES}"
    for i, row in enumerate(rows):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence) or len(row) != n:
            size = len(row) if isinstance(row, Sequence) else type(row).__name__
            return f"matrix must be square: row {i} has {size} entries, expected {n}"
        for j, value in enumerate(row):
            if value not in (0, 1):
                return f"matrix[{i}][{j}] is {value!r}, must be 0 or 1"
            if value and j == i:
                return f"matrix[{i}][{j}] on the diagonal (a vertex cannot feed itself)"
            if value and j < i:
                return f"matrix[{i}][{j}] below the diagonal (edges go from lower to higher vertex)"
    raise AssertionError("matrix passed every check")  # unreachable: the fast checks failed for a reason


def _op_codes(ops: Sequence[str], n: int) -> list[int]:
    """Op codes (indices into OPS): input first, output last, one of the three interior ops between."""
    if type(ops) is not list and (isinstance(ops, str | bytes) or not isinstance(ops, Sequence)):
        raise InvalidCellError(f"ops must be a list of op names, got {type(ops).__name__}")
    if len(ops) != n:
        raise InvalidCellError(f"ops has {len(ops)} entries but matrix has {n} vertices")
    if ops[0] != INPUT:
        raise InvalidCellError(f"ops[0] must be {INPUT!r}, got {ops[0]!r}")
    if ops[-1] != OUTPUT:
        raise InvalidCellError(f"ops[{n - 1}] must be {OUTPUT!r}, got {ops[-1]!r}")
    try:
        return [OP_CODE[INPUT], *[_INTERIOR_CODE[op] for op in ops[1:-1]], OP_CODE[OUTPUT]]
    except (KeyError, TypeError):  # TypeError: an unhashable op
        i = next(i for i in range(1, n - 1) if not isinstance(ops[i], str) or ops[i] not in _INTERIOR_CODE)
        raise InvalidCellError(
            f"ops[{i}]: unknown op {ops[i]!r} (interior ops: {', '.join(INTERIOR_OPS)})"
        ) from None


def _on_input_output_paths(succ: list[int], n: int) -> int:
    """Bit mask of the vertices reachable from the input that also reach the output."""
    forward = 1
    for v in range(n):
        if forward >> v & 1:
            forward |= succ[v]
    backward = 1 << (n - 1)
    for v in range(n - 2, -1, -1):
        if succ[v] & backward:
            backward |= 1 << v
    return forward & backward


def _row_mask_tables() -> dict[int, dict[tuple[int, ...], int]]:
    """For each vertex count, every 0/1 row -> its bit mask (entries compare by value: 1.0, True pass)."""
    return {
        n: {tuple(m >> j & 1 for j in range(n)): m for m in range(1 << n)}
        for n in range(MIN_VERTICES, MAX_VERTICES + 1)
    }


_ROW_MASK = _row_mask_tables()
# _ROW_BITS[x][mask]: the edge-integer bits of the edges x->w for w in mask.
_ROW_BITS = [
    [
        sum(1 << (x + w * (w - 1) // 2) for w in range(x + 1, MAX_VERTICES) if mask >> w & 1)
        for mask in range(1 << MAX_VERTICES)
    ]
    for x in range(MAX_VERTICES)
]
# _PAIRS[n]: the n-vertex upper triangle (x, y) in bit order; _UPPER[n]: the same as index arrays.
_PAIRS = {n: [(x, y) for y in range(n) for x in range(y)] for n in range(MIN_VERTICES, MAX_VERTICES + 1)}
_UPPER = {n: tuple(np.array(v) for v in zip(*pairs, strict=True)) for n, pairs in _PAIRS.items()}
_INTERIOR_CODE = {op: OP_CODE[op] for op in INTERIOR_OPS}
