"""Random and exhaustive generation of cells for search: every op on every edge is allowed.

Randomness comes only from the ``numpy.random.Generator`` passed in, so runs are reproducible.
"""

from collections.abc import Iterator

import numpy as np

from service.spaces.nb201.arch import EDGES, OPS, Arch
from service.spaces.nb201.graph import SPACE_SIZE, codes_at


def sample(rng: np.random.Generator, n: int) -> list[Arch]:
    """n cells drawn uniformly from all 15,625 (a uniformly random op on each edge)."""
    return [Arch.from_codes(row) for row in rng.integers(0, len(OPS), size=(n, len(EDGES)))]


def mutate(arch: Arch, rng: np.random.Generator) -> Arch:
    """``arch`` with the op on one uniformly chosen edge replaced by a different, uniformly chosen op."""
    codes = list(arch.codes)
    edge = int(rng.integers(len(EDGES)))
    codes[edge] = (codes[edge] + int(rng.integers(1, len(OPS)))) % len(OPS)
    return Arch.from_codes(codes)


def crossover(a: Arch, b: Arch, rng: np.random.Generator) -> Arch:
    """Child taking each edge's op from ``a`` or ``b`` with equal probability."""
    from_a = rng.random(len(EDGES)) < 0.5
    return Arch(tuple(op_a if pick else op_b for op_a, op_b, pick in zip(a.ops, b.ops, from_a, strict=True)))


def enumerate_archs() -> Iterator[Arch]:
    """All 15,625 cells in op-code order (base 5 over edges, ``OPS`` order), not the benchmark's index."""
    for row in codes_at(np.arange(SPACE_SIZE)):
        yield Arch.from_codes(row)
