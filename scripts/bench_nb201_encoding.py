"""Time encoding all 15,625 NAS-Bench-201 cells on one core, and count the networks they collapse to.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/bench_nb201_encoding.py

Measures, best of ``--repeats`` (the canonical lookup table is built once before timing; its one-off
cost is reported separately): parsing the 15,625 arch strings and encoding them, encoding from
``Arch`` values, and encoding from op codes alone. Counts unique networks under our identity and
under NAS-Bench-201's own de-isomorphism (``to_unique_str(consider_zero=True)`` of its API,
re-implemented from its definition). ``--check-isomorphism`` also confirms, by exact labelled graph
isomorphism (networkx, installed with torch), that no two of our classes are the same network.
Results go to docs/benchmarks/nb201-space.md by hand, with this command.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import logging
import warnings
from collections import defaultdict
from collections.abc import Callable
from time import perf_counter
from typing import Annotated

import numpy as np
import typer

from service.spaces.nb201.arch import EDGE_INDEX, NUM_NODES, Arch, codes_of
from service.spaces.nb201.encoding import encode_codes
from service.spaces.nb201.graph import canonical_table, codes_at, vertex_dag
from service.spaces.nb201.sampling import enumerate_archs
from service.spaces.nb201.space import NB201_SPACE

log = logging.getLogger("bench_nb201_encoding")
app = typer.Typer(add_completion=False)


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = perf_counter()
        fn()
        times.append(perf_counter() - start)
    return min(times)


def nb201_unique_str(arch: Arch) -> str:
    """NAS-Bench-201's own identity: a sum-of-terms expression per node, skip_connect transparent.

    A none edge, or any edge out of a node that is exactly zero, contributes the term '#'; the '#'
    terms stay in the sorted sum, so only node 1 can become exactly zero.
    """
    nodes = ["0"]
    for i in range(1, NUM_NODES):
        terms = []
        for j in range(i):
            op = arch.ops[EDGE_INDEX[(j, i)]]
            if op == "none" or nodes[j] == "#":
                terms.append("#")
            elif op == "skip_connect":
                terms.append(nodes[j])
            else:
                terms.append(f"({nodes[j]})@{op}")
        nodes.append("+".join(sorted(terms)))
    return nodes[-1]


def check_classes_distinct() -> tuple[int, int, int]:
    """Exact labelled-DAG isomorphism between our classes' pruned graphs (isolated none vertices dropped).

    Returns (distinct Weisfeiler-Lehman hashes, class pairs sharing a hash, of those, isomorphic
    pairs). Isomorphic graphs share their WL hash, so only pairs within a hash bucket are compared.
    """
    import networkx as nx

    adjacency, labels = vertex_dag(codes_at(np.unique(canonical_table())))
    buckets: dict[str, list[nx.DiGraph]] = defaultdict(list)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # networkx 3.5 notes that its digraph hashes changed
        for adj, label in zip(adjacency, labels, strict=True):
            g = nx.DiGraph()
            g.add_nodes_from((v, {"op": str(op)}) for v, op in enumerate(label) if op != 0)
            g.add_edges_from((int(u), int(v)) for u, v in zip(*np.nonzero(adj), strict=True))
            buckets[nx.weisfeiler_lehman_graph_hash(g, node_attr="op")].append(g)
    pairs = found = 0
    for graphs in buckets.values():
        for i, first in enumerate(graphs):
            for second in graphs[i + 1 :]:
                pairs += 1
                found += nx.is_isomorphic(first, second, node_match=lambda x, y: x["op"] == y["op"])
    return len(buckets), pairs, found


def compare_partitions(ours: dict[Arch, str], theirs: dict[Arch, str]) -> None:
    """Log how the two identities split each other's classes, with one example of each kind."""
    for name, first, second in (("ours", ours, theirs), ("NAS-Bench-201's", theirs, ours)):
        members: dict[str, list[Arch]] = defaultdict(list)
        for arch, key in first.items():
            members[key].append(arch)
        split = [group for group in members.values() if len({second[a] for a in group}) > 1]
        log.info("classes of %s that the other identity splits: %d", name, len(split))
        if split:
            group = split[0]
            other = next(a for a in group if second[a] != second[group[0]])
            log.info("  e.g. %s and %s", group[0], other)


@app.command()
def main(
    repeats: Annotated[int, typer.Option(min=5, help="timed runs; the best is reported")] = 7,
    check_isomorphism: Annotated[bool, typer.Option(help="exact isomorphism check of the classes")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    archs = list(enumerate_archs())
    strings = [arch.to_string() for arch in archs]
    codes = codes_of(archs)

    start = perf_counter()
    canonical_table.cache_clear()
    classes = len(np.unique(canonical_table()))
    log.info("canonical lookup table, built once: %.4f s", perf_counter() - start)

    parse_and_encode = best_of(repeats, lambda: NB201_SPACE.encode([Arch.from_string(s) for s in strings]))
    parse_only = best_of(repeats, lambda: [Arch.from_string(s) for s in strings])
    from_archs = best_of(repeats, lambda: NB201_SPACE.encode(archs))
    type_from_archs = best_of(repeats, lambda: NB201_SPACE.encode(archs, "renas-type"))
    from_codes = best_of(repeats, lambda: encode_codes(codes))
    log.info("cells: %d, threads: OMP=%s OPENBLAS=%s, best of %d", len(archs),
             os.environ["OMP_NUM_THREADS"], os.environ["OPENBLAS_NUM_THREADS"], repeats)  # fmt: skip
    log.info("parse strings + encode renas-full: %.4f s (parse alone %.4f s)", parse_and_encode, parse_only)
    log.info("encode renas-full from Archs:      %.4f s", from_archs)
    log.info("encode renas-type from Archs:      %.4f s", type_from_archs)
    log.info("encode renas-full from op codes:   %.4f s", from_codes)
    log.info("unique networks, our identity (pruned DAG isomorphism): %d", classes)
    theirs = {arch: nb201_unique_str(arch) for arch in archs}
    log.info("unique networks, NAS-Bench-201 to_unique_str(True): %d", len(set(theirs.values())))
    compare_partitions({arch: NB201_SPACE.identity(arch) for arch in archs}, theirs)
    if check_isomorphism:
        hashes, pairs, found = check_classes_distinct()
        log.info("exact check: %d distinct WL hashes; %d class pairs share one, %d of them isomorphic",
                 hashes, pairs, found)  # fmt: skip


if __name__ == "__main__":
    app()
