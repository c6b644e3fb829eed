"""Every NAS-Bench-101 cell, one per isomorphism class (423,624 with up to 7 vertices).

The cells are the canonical members of the classes in class-number order (``canonical``): vertex
count, then edge integer, then labels, the order in which the benchmark's ``generate_graphs.py``
first met each class. Only canonical members are ever built, and no hash is needed to de-duplicate.
"""

from collections.abc import Iterator

from service.spaces.nb101.canonical import build_cells, canonical_classes
from service.spaces.nb101.cell import MAX_VERTICES, MIN_VERTICES, Cell

# Classes with up to n vertices, as the numbering counts them; tests check n <= 5 against
# brute-force hashing, and 423,624 is the benchmark's own total.
UNIQUE_CELLS_UP_TO = {2: 1, 3: 7, 4: 91, 5: 2_532, 6: 64_542, 7: 423_624}


def enumerate_cells(max_vertices: int = MAX_VERTICES) -> Iterator[Cell]:
    """Every cell with up to ``max_vertices`` vertices, one per class, as its canonical member, in
    class-number order; built one by one from each vertex count's arrays."""
    for n in range(MIN_VERTICES, max_vertices + 1):
        yield from build_cells(n, *canonical_classes(n))
