"""Graph identity of NAS-Bench-101 cells: the benchmark's module hash.

*Module hash.* The benchmark's isomorphism-invariant md5 (``graph_util.hash_module``): each vertex
starts as md5 of ``str((out_degree, in_degree, label))`` with labels -1 input, -2 output and 0/1/2
for conv3x3/conv1x1/maxpool; then, n times, every vertex becomes md5 of its sorted in-neighbour
hashes, '|', its sorted out-neighbour hashes, '|', its own hash; the cell's hash is md5 of
``str(sorted(vertex_hashes))``. Equal for isomorphic cells; the benchmark checked that it never
merges non-isomorphic ones in this space.

*Fast module hash.* A cell takes ~47 md5 digests of ~116 bytes, and md5 alone is over half the time
of the fastest path here (docs/benchmarks/nb101-space.md), so the fast paths use CPython's built-in
md5, which skips OpenSSL's per-object setup, and cached start hashes. ``module_hash`` is the plain
transcription (the reference). ``edge_hash`` takes a cell's compact form (any vertex numbering),
caches each edge pattern's neighbour getters and remembers recent results.

The canonical vertex order of a class, and class numbers, are in ``canonical``.
"""

import hashlib
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from operator import itemgetter

try:  # CPython's own md5: ~25% less time than OpenSSL's on short messages (no EVP context per object)
    from _md5 import md5 as _fast_md5
except ImportError:  # pragma: no cover - interpreters built without it
    _fast_md5 = hashlib.md5

import numpy as np

INPUT_LABEL, OUTPUT_LABEL = -1, -2
_CODE_LABEL = (INPUT_LABEL, 0, 1, 2, OUTPUT_LABEL)  # op code (``cell.OPS`` index) -> hash label
_HASH_MEMO = 8192  # edge_hash results kept per process
_PATTERN_MEMO = 16384  # edge patterns kept for edge_hash (any vertex numbering)
_Getter = Callable[[list[str]], tuple[str, ...]]


def bit_index(x: int, y: int) -> int:
    """Bit of the edge x->y (x < y) in the benchmark's edge integer (column by column)."""
    return x + y * (y - 1) // 2


def labels_of(codes: Sequence[int]) -> list[int]:
    """Benchmark hash labels from op codes (1..3 interior, see ``cell.OPS``)."""
    return [INPUT_LABEL, *(c - 1 for c in codes[1:-1]), OUTPUT_LABEL]


def module_hash(matrix: np.ndarray | Sequence[Sequence[int]], labels: Sequence[int]) -> str:
    """The benchmark's module hash of a pruned cell (see the module docstring)."""
    rows = np.asarray(matrix).tolist()
    n = len(rows)
    ins = [[w for w in range(n) if rows[w][v]] for v in range(n)]
    outs = [[w for w in range(n) if rows[v][w]] for v in range(n)]
    md5 = hashlib.md5
    hashes = [md5(str((len(outs[v]), len(ins[v]), labels[v])).encode()).hexdigest() for v in range(n)]
    for _ in range(n):
        get = hashes.__getitem__
        hashes = [
            md5(
                (
                    "".join(sorted(map(get, ins[v])))
                    + "|"
                    + "".join(sorted(map(get, outs[v])))
                    + "|"
                    + hashes[v]
                ).encode()
            ).hexdigest()
            for v in range(n)
        ]
    return md5(str(sorted(hashes)).encode()).hexdigest()


@lru_cache(maxsize=_HASH_MEMO)
def edge_hash(n: int, bits: int, codes: tuple[int, ...]) -> str:
    """``module_hash`` of the pruned cell (n vertices, edge integer ``bits``, op codes ``codes``)."""
    neighbours, degrees = _pattern(n, bits)
    md5 = _fast_md5
    join = "".join
    hashes = [
        _start_hash(outs, ins, _CODE_LABEL[code]) for (outs, ins), code in zip(degrees, codes, strict=True)
    ]
    hashes.append("")  # what the getters fetch besides the neighbours: sorts first, joins to nothing
    for _ in range(n):
        hashes = [
            md5(f"{join(sorted(ins(hashes)))}|{join(sorted(outs(hashes)))}|{hashes[v]}".encode()).hexdigest()
            for v, ins, outs in neighbours
        ]
        hashes.append("")
    hashes.sort()  # "" first
    return md5(("['" + "', '".join(hashes[1:]) + "']").encode()).hexdigest()  # == str(sorted(...))


def _neighbours(n: int, bits: int) -> tuple[list[list[int]], list[list[int]]]:
    """In- and out-neighbours of every vertex, ascending."""
    ins: list[list[int]] = [[] for _ in range(n)]
    outs: list[list[int]] = [[] for _ in range(n)]
    for y in range(1, n):
        for x in range(y):
            if bits >> bit_index(x, y) & 1:
                ins[y].append(x)
                outs[x].append(y)
    return ins, outs


@lru_cache(maxsize=_PATTERN_MEMO)
def _pattern(
    n: int, bits: int
) -> tuple[tuple[tuple[int, _Getter, _Getter], ...], tuple[tuple[int, int], ...]]:
    """Per vertex v: (v, getter of its in-neighbours' hashes, of its out-neighbours'), and (out, in) degrees.

    Each getter also fetches index n (the "" after the n hashes) so that it always returns a tuple.
    """
    ins, outs = _neighbours(n, bits)
    neighbours = tuple((v, itemgetter(*ins[v], n), itemgetter(*outs[v], n)) for v in range(n))
    return neighbours, tuple((len(outs[v]), len(ins[v])) for v in range(n))


@cache
def _start_hash(out_degree: int, in_degree: int, label: int) -> str:
    """A vertex's hash before the first round (label: -1 input, -2 output, 0..2 interior)."""
    return _fast_md5(str((out_degree, in_degree, label)).encode()).hexdigest()
