"""Graph views of a cell: the ops-on-vertices DAG predictors read, and the canonical identity.

*Ops on vertices.* The cell has ops on edges; predictors (and ReNAS's matrices) want ops on vertices.
The standard conversion makes one vertex per edge: vertex 0 is the input, vertex 1 + k holds the op
of edge ``EDGES[k]``, vertex 7 the output. Edge-vertex a (j->i) feeds edge-vertex b (i->l) because
node i sums a's result into b's input; edges leaving node 0 are fed by the input vertex, edges into
node 3 feed the output vertex. ``none`` edges become isolated vertices.

*Identity.* Two cells are the same network when their pruned DAGs are isomorphic. Pruning sets to
``none`` every edge that lies on no input->output path (it carries zeros, or its result is never
used). Nodes 0 and 3 are fixed; nodes 1 and 2 may trade places exactly when the edge 1->2 is
``none`` after pruning, which swaps (0->1, 1->3) with (0->2, 2->3). The canonical representative is
the smaller of the two in op-code order; the identity is its arch string. For the 8-vertex graphs
of this space that is the full isomorphism relation (checked in scripts/bench_nb201_encoding.py).
"""

from functools import lru_cache

import numpy as np

from service.spaces.nb201.arch import EDGES, NONE, NUM_NODES, OPS, Arch

NUM_VERTICES = len(EDGES) + 2
INPUT_VERTEX, OUTPUT_VERTEX = 0, NUM_VERTICES - 1
SPACE_SIZE = len(OPS) ** len(EDGES)
# Base-5 place values: code index of a cell = sum(op code of edge k * PLACE[k]).
PLACE = len(OPS) ** np.arange(len(EDGES) - 1, -1, -1)
# Edge order after swapping nodes 1 and 2: 0->1 <-> 0->2 and 1->3 <-> 2->3 (1->2 must be none).
_SWAP_1_2 = np.array([1, 0, 2, 3, 5, 4])


def _vertex_structure() -> np.ndarray:
    """8x8 adjacency of the ops-on-vertices DAG with every edge present."""
    adjacency = np.zeros((NUM_VERTICES, NUM_VERTICES), dtype=bool)
    for a, (j, i) in enumerate(EDGES):
        if j == 0:
            adjacency[INPUT_VERTEX, 1 + a] = True
        if i == NUM_NODES - 1:
            adjacency[1 + a, OUTPUT_VERTEX] = True
        for b, (source, _) in enumerate(EDGES):
            if source == i:
                adjacency[1 + a, 1 + b] = True
    return adjacency


VERTEX_STRUCTURE = _vertex_structure()


def code_index(codes: np.ndarray) -> np.ndarray:
    """(N,) position of each cell in base-5 op-code order (0 .. 15,624)."""
    return np.asarray(codes, dtype=np.int64) @ PLACE


def codes_at(index: np.ndarray) -> np.ndarray:
    """(N, 6) op codes of the cells at the given base-5 positions (inverse of ``code_index``)."""
    return (np.asarray(index, dtype=np.int64)[:, None] // PLACE) % len(OPS)


def prune(codes: np.ndarray) -> np.ndarray:
    """Copy of ``codes`` (N, 6) with every edge that lies on no input->output path set to none."""
    live = np.asarray(codes) != NONE
    e01, e02, e12, _, e13, e23 = live.T  # 0->3 touches no intermediate node
    # from_input[n]: node n is reached from node 0; to_output[n]: node n reaches node 3.
    from_1 = e01
    from_2 = e02 | (from_1 & e12)
    to_2 = e23
    to_1 = e13 | (e12 & to_2)
    from_input = np.stack([np.ones_like(e01), from_1, from_2], axis=1)
    to_output = np.stack([to_1, to_2, np.ones_like(e01)], axis=1)
    sources = np.array([j for j, _ in EDGES])
    targets = np.array([i for _, i in EDGES]) - 1
    keep = live & from_input[:, sources] & to_output[:, targets]
    return np.where(keep, codes, NONE)


def canonicalize(codes: np.ndarray) -> np.ndarray:
    """(N, 6) codes of each cell's canonical representative (pruned, then the smaller of the 1/2 swap)."""
    pruned = prune(codes)
    swapped = pruned[:, _SWAP_1_2]
    use_swap = (pruned[:, 2] == NONE) & (code_index(swapped) < code_index(pruned))
    return np.where(use_swap[:, None], swapped, pruned)


@lru_cache(maxsize=1)
def canonical_table() -> np.ndarray:
    """(15,625,) base-5 position of the canonical representative of every cell, computed once."""
    all_codes = codes_at(np.arange(SPACE_SIZE))
    table = code_index(canonicalize(all_codes))
    table.setflags(write=False)
    return table


def canonical_codes(codes: np.ndarray) -> np.ndarray:
    """Like ``canonicalize``, by lookup in the cached table (fast for large batches)."""
    return codes_at(canonical_table()[code_index(codes)])


@lru_cache(maxsize=1)
def _representatives() -> dict[Arch, Arch]:
    """Every cell -> its canonical representative (one shared ``Arch`` per class), built once."""
    table = canonical_table()
    classes = np.unique(table)
    reps = {int(c): Arch.from_codes(row) for c, row in zip(classes, codes_at(classes), strict=True)}
    everything = codes_at(np.arange(SPACE_SIZE))
    return {Arch.from_codes(row): reps[int(c)] for row, c in zip(everything, table, strict=True)}


@lru_cache(maxsize=1)
def _identities() -> dict[Arch, str]:
    names = {rep: rep.to_string() for rep in set(_representatives().values())}
    return {arch: names[rep] for arch, rep in _representatives().items()}


def canonical(arch: Arch) -> Arch:
    """The canonical representative of ``arch``'s isomorphism class."""
    return _representatives()[arch]


def identity(arch: Arch) -> str:
    """Canonical identity: the arch string of the canonical representative."""
    return _identities()[arch]


def vertex_dag(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ops-on-vertices form of a batch: (adjacency (N, 8, 8) bool, vertex labels (N, 8) int).

    Labels: -1 input, op code 1..4 for edge-vertices (0 = none: isolated), ``len(OPS)`` output.
    Pass canonical codes to get the pruned DAG.
    """
    codes = np.asarray(codes)
    n = len(codes)
    live = np.ones((n, NUM_VERTICES), dtype=bool)
    live[:, 1:-1] = codes != NONE
    adjacency = VERTEX_STRUCTURE[None] & live[:, :, None] & live[:, None, :]
    labels = np.empty((n, NUM_VERTICES), dtype=np.int64)
    labels[:, INPUT_VERTEX] = -1
    labels[:, 1:-1] = codes
    labels[:, OUTPUT_VERTEX] = len(OPS)
    return adjacency, labels
