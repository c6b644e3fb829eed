"""Every NAS-Bench-101 cell, one per isomorphism class (423,624 with up to 7 vertices).

For each vertex count, the edge integers of all full DAGs (every vertex on an input->output path,
<= 9 edges) are found with numpy bit masks; a matrix can be a class's canonical member
(``graph.canonical_forms``) only if no relabelling gives a smaller edge integer, and a labelling of
it only if no automorphism of the matrix gives a smaller label number. So only canonical members are
ever built, no hash is needed to de-duplicate, and they come out in the order the benchmark's
``generate_graphs.py`` first met each class (vertex count, edge integer, labels).
"""

import itertools
from collections.abc import Iterator

import numpy as np

from service.spaces.nb101.cell import INTERIOR_OPS, MAX_EDGES, MAX_VERTICES, MIN_VERTICES, OP_CODE, Cell
from service.spaces.nb101.graph import bit_index, key_tables, unpack_bits

# Classes with up to n vertices, as counted here; tests check n <= 5 against brute-force hashing,
# and 423,624 is the benchmark's own total.
UNIQUE_CELLS_UP_TO = {2: 1, 3: 7, 4: 91, 5: 2_532, 6: 64_542, 7: 423_624}


def full_dags(n: int) -> np.ndarray:
    """Sorted edge integers of the n-vertex DAGs with every vertex on an input->output path."""
    bits = np.arange(1 << (n * (n - 1) // 2), dtype=np.int64)
    ok = np.bitwise_count(bits) <= MAX_EDGES
    for v in range(n):
        if v < n - 1:  # needs an out-edge
            ok &= (bits & sum(1 << bit_index(v, w) for w in range(v + 1, n))) != 0
        if v > 0:  # needs an in-edge
            ok &= (bits & sum(1 << bit_index(x, v) for x in range(v))) != 0
    return bits[ok]


def canonical_members(n: int) -> Iterator[tuple[int, tuple[int, ...]]]:
    """(edge integer, interior labels 0..2) of every class's canonical member with n vertices."""
    interior = n - 2
    labellings = np.array(list(itertools.product(range(len(INTERIOR_OPS)), repeat=interior)), dtype=np.int64)
    labellings = labellings.reshape(len(labellings), interior)
    dags = full_dags(n)
    if interior < 2:  # the identity is the only relabelling
        for bits in dags.tolist():
            for labels in labellings.tolist():
                yield bits, tuple(labels)
        return
    edge_weights, label_weights = key_tables(n)
    edge_keys = unpack_bits(dags, n) @ edge_weights  # identity relabelling is column 0
    smallest = edge_keys.min(axis=1) == dags
    dags, automorphisms = dags[smallest], edge_keys[smallest] == dags[smallest, None]
    label_keys = labellings.astype(np.float64) @ label_weights[1:-1]
    allowed: dict[bytes, np.ndarray] = {}
    for bits, auts in zip(dags.tolist(), automorphisms, strict=True):
        key = auts.tobytes()
        if key not in allowed:
            keys = label_keys[:, auts]
            allowed[key] = np.flatnonzero((keys >= label_keys[:, :1]).all(axis=1))
        for index in allowed[key].tolist():
            yield bits, tuple(labellings[index].tolist())


def enumerate_cells(max_vertices: int = MAX_VERTICES) -> Iterator[Cell]:
    """Every cell with up to ``max_vertices`` vertices, one per class, as its canonical member."""
    first, last = OP_CODE["input"], OP_CODE["output"]
    for n in range(MIN_VERTICES, max_vertices + 1):
        for bits, labels in canonical_members(n):
            yield Cell.from_bits(n, bits, (first, *(label + 1 for label in labels), last))
