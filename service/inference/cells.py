"""Parsing the cells of a request, with errors that name each bad cell's index."""

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from service.spaces import Space

MAX_REPORTED = 20  # errors listed per response; enough to fix a batch, small enough to read


class InvalidCellsError(ValueError):
    """Some cells are not acceptable; ``errors`` holds (index into the request's ``field``, message)
    for up to MAX_REPORTED of them, ``total`` counts them all."""

    def __init__(self, errors: list[tuple[int, str]], total: int, field: str = "cells") -> None:
        self.errors = errors[:MAX_REPORTED]
        self.total = total
        self.field = field
        super().__init__("; ".join(message for _, message in self.errors))


def parse_cells(
    space: Space,
    objects: Sequence[Mapping[str, Any]],
    *,
    field: str = "cells",
    at: Sequence[int] | None = None,
    suffix: str = "",
) -> list[Hashable]:
    """Every cell parsed by the space; InvalidCellsError listing the bad ones as "cells[i]: reason".

    ``field``, ``at`` (each object's index in that field) and ``suffix`` name where the objects sit in
    the request, e.g. ``results[3].cell``.
    """
    cells: list[Hashable] = []
    errors: list[tuple[int, str]] = []
    for i, obj in enumerate(objects):
        index = i if at is None else at[i]
        try:
            cells.append(space.parse(obj))
        # InvalidCellError is a ValueError; the rest guard against odd JSON reaching a parser.
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            errors.append((index, f"{field}[{index}]{suffix}: {exc}"))
    if errors:
        raise InvalidCellsError(errors, len(errors), field)
    return cells
