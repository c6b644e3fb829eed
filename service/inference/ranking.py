"""Turning scores into a ranking: best first, ties in input order, isomorphic cells marked."""

from collections.abc import Sequence

import numpy as np


def rank_order(scores: np.ndarray) -> list[int]:
    """Cell indices, best score first; equal scores keep input order."""
    return np.argsort(-scores, kind="stable").tolist()


def first_occurrences(identities: Sequence[str]) -> list[int | None]:
    """For each cell, the index of the first earlier cell with the same identity, else None."""
    first_index: dict[str, int] = {}
    duplicate_of: list[int | None] = []
    for index, identity in enumerate(identities):
        first = first_index.setdefault(identity, index)
        duplicate_of.append(None if first == index else first)
    return duplicate_of
