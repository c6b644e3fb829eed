"""Parsing the cells of a request, with errors that name each bad cell's index."""

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from service.spaces import Space

MAX_REPORTED = 20  # errors listed per response; enough to fix a batch, small enough to read


class InvalidCellsError(ValueError):
    """Some cells are not in the space; ``errors`` holds (index, message) for up to MAX_REPORTED."""

    def __init__(self, errors: list[tuple[int, str]], total: int) -> None:
        self.errors = errors
        self.total = total
        super().__init__("; ".join(message for _, message in errors))


def parse_cells(space: Space, objects: Sequence[Mapping[str, Any]]) -> list[Hashable]:
    """Every cell parsed by the space; InvalidCellsError listing the bad ones as "cells[i]: reason"."""
    cells: list[Hashable] = []
    errors: list[tuple[int, str]] = []
    total = 0
    for index, obj in enumerate(objects):
        try:
            cells.append(space.parse(obj))
        # InvalidCellError is a ValueError; the rest guard against odd JSON reaching a parser.
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            total += 1
            if len(errors) < MAX_REPORTED:
                errors.append((index, f"cells[{index}]: {exc}"))
    if errors:
        raise InvalidCellsError(errors, total)
    return cells
