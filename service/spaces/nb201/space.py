"""``NB201_SPACE``: the NAS-Bench-201 cell space behind the ``Space`` contract of ``service.spaces.base``.

JSON forms: ``{"arch": "|nor_conv_3x3~0|+|...|"}`` (the benchmark's arch string) or
``{"matrix": [[null, "nor_conv_3x3", ...], ...]}`` (4x4, ``matrix[j][i]`` = op on edge j->i for
j < i, null or "none" elsewhere). ``to_json`` always gives the arch string form.
"""

from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from service.spaces.base import InvalidCellError
from service.spaces.nb201 import graph, sampling
from service.spaces.nb201.arch import Arch, codes_of
from service.spaces.nb201.cost import network_cost
from service.spaces.nb201.encoding import DEFAULT_ENCODING, ENCODING_VERSION, ENCODINGS, encode_codes

_FORMS = ("arch", "matrix")


def _arch(cell: Hashable) -> Arch:
    if not isinstance(cell, Arch):
        raise TypeError(f"expected an nb201 Arch, got {type(cell).__name__}")
    return cell


class NB201Space:
    """The 15,625 cells of NAS-Bench-201; cells are ``Arch`` values."""

    name = "nb201"
    encodings: Mapping[str, tuple[int, ...]] = ENCODINGS
    default_encoding = DEFAULT_ENCODING
    encoding_version = ENCODING_VERSION

    def parse(self, obj: Mapping[str, Any]) -> Arch:
        if not isinstance(obj, Mapping):
            raise InvalidCellError(f"expected an object with 'arch' or 'matrix', got {type(obj).__name__}")
        unknown = sorted(repr(key) for key in set(obj) - set(_FORMS))
        if unknown:
            raise InvalidCellError(f"unknown field(s) {', '.join(unknown)}; expected 'arch' or 'matrix'")
        present = [form for form in _FORMS if form in obj]
        if len(present) != 1:
            raise InvalidCellError(f"expected exactly one of 'arch' or 'matrix', got {present or 'neither'}")
        if present == ["arch"]:
            return Arch.from_string(obj["arch"])
        return Arch.from_matrix(obj["matrix"])

    def to_json(self, cell: Hashable) -> dict[str, Any]:
        return {"arch": _arch(cell).to_string()}

    def identity(self, cell: Hashable) -> str:
        return graph.identity(_arch(cell))

    def identities(self, cells: Sequence[Hashable]) -> list[str]:
        return [graph.identity(_arch(c)) for c in cells]

    def encode(self, cells: Sequence[Hashable], encoding: str | None = None) -> np.ndarray:
        return encode_codes(codes_of([_arch(c) for c in cells]), encoding or self.default_encoding)

    def cost(self, cells: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray]:
        return network_cost(codes_of([_arch(c) for c in cells]))

    def sample(self, rng: np.random.Generator, n: int) -> list[Arch]:
        return sampling.sample(rng, n)

    def mutate(self, cell: Hashable, rng: np.random.Generator) -> Arch:
        return sampling.mutate(_arch(cell), rng)

    def crossover(self, a: Hashable, b: Hashable, rng: np.random.Generator) -> Arch:
        return sampling.crossover(_arch(a), _arch(b), rng)

    def enumerate(self) -> Iterator[Arch]:
        """All 15,625 cells (isomorphic ones included: the benchmark lists each), in op-code order."""
        return sampling.enumerate_archs()


NB201_SPACE = NB201Space()
