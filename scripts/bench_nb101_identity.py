"""NB-101 identity of never-seen cells: the module hash computed per cell vs the hash-table lookup.

Loads the table at RENAS_NB101_HASH_TABLE (build it first: ``renas-enumerate nb101-hash-table``),
then times both ways on 5 batches each of 1,000 freshly sampled, freshly parsed cells (different
batches, so no cache helps either way).

    .venv/bin/python scripts/bench_nb101_identity.py
"""

import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np

from service.core.config import get_settings
from service.spaces import get_space
from service.spaces.nb101.cell import Cell
from service.spaces.nb101.hash_table import HashTable

BATCHES, CELLS = 5, 1000


def main() -> None:
    space = get_space("nb101")
    path = get_settings().nb101_hash_table
    if path is None or not path.is_file():
        raise SystemExit(f"no hash table at {path}: run `renas-enumerate nb101-hash-table` first")
    batches = [
        [space.to_json(c) for c in space.sample(np.random.default_rng(seed), CELLS)]
        for seed in range(2 * BATCHES)
    ]
    start = time.perf_counter()
    table = HashTable.load(path)
    print(f"load (memory-mapped, 64 rows re-hashed): {(time.perf_counter() - start) * 1e3:.1f} ms")
    ways: list[tuple[str, Callable[[Sequence[Cell]], list[str]]]] = [
        ("hashing each cell", lambda cells: [c.module_hash for c in cells]),
        ("table lookup", table.identities),
    ]
    for k, (name, identities) in enumerate(ways):
        times = []
        for objects in batches[k * BATCHES : (k + 1) * BATCHES]:
            cells = [space.parse(o) for o in objects]
            start = time.perf_counter()
            identities(cells)
            times.append((time.perf_counter() - start) * 1e3)
        print(
            f"{name}: median {statistics.median(times):.1f} ms, best {min(times):.1f} ms per {CELLS:,} cells"
        )


if __name__ == "__main__":
    main()
