"""Turning scores into a ranking: best first, ties in input order, isomorphic cells marked."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RankEntry:
    index: int  # position of the cell in the request
    rank: int  # 1 = best
    duplicate_of: int | None  # index of the first cell in the request with the same identity


def rank(scores: np.ndarray, identities: Sequence[str]) -> list[RankEntry]:
    first_index: dict[str, int] = {}
    for index, identity in enumerate(identities):
        first_index.setdefault(identity, index)
    order = np.argsort(-scores, kind="stable")
    return [
        RankEntry(
            index=int(i),
            rank=position + 1,
            duplicate_of=None if first_index[identities[i]] == i else first_index[identities[i]],
        )
        for position, i in enumerate(order)
    ]
