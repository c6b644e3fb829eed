"""Cells in the JSON form the service reads, from the forms people hold them in."""

from collections.abc import Mapping
from typing import Any


def cell_json(cell: Any) -> dict[str, Any]:
    """``{"matrix", "ops"}`` or ``{"arch"}`` dicts pass through; an NB201 arch string becomes
    ``{"arch": ...}``; an object with ``.matrix`` and ``.ops`` (nasbench's ``ModelSpec``) becomes
    ``{"matrix": [[...]], "ops": [...]}``."""
    if isinstance(cell, str):
        return {"arch": cell}
    if isinstance(cell, Mapping):
        return dict(cell)
    if hasattr(cell, "matrix") and hasattr(cell, "ops"):
        matrix = (
            cell.matrix.tolist() if hasattr(cell.matrix, "tolist") else [list(row) for row in cell.matrix]
        )
        return {"matrix": [[int(x) for x in row] for row in matrix], "ops": list(cell.ops)}
    raise TypeError(
        f"not a cell: {type(cell).__name__} (a dict, an arch string or an object with .matrix and .ops)"
    )
