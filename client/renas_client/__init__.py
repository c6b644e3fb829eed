"""Client of the ReNAS predictor service: ``Client(base_url, api_key=None)`` (or ``AsyncClient``).

Cells go in the way people hold them: ``{"matrix", "ops"}`` dicts, nasbench ``ModelSpec``-like
objects (anything with ``.matrix`` and ``.ops``), or NAS-Bench-201 arch strings. Answers come back
as pydantic models with the service's field names; errors as exceptions carrying the service's
message (``InvalidCellsError.index`` names the failing cell).
"""

from renas_client.aio import AsyncClient, AsyncSearchJob, AsyncStudy
from renas_client.client import Client, SearchJob, Study
from renas_client.errors import (
    ConflictError,
    InvalidCellsError,
    NotFoundError,
    QueueFullError,
    RenasError,
    ServiceUnavailableError,
    TooLargeError,
    UnauthorizedError,
)

__all__ = [
    "AsyncClient",
    "AsyncSearchJob",
    "AsyncStudy",
    "Client",
    "ConflictError",
    "InvalidCellsError",
    "NotFoundError",
    "QueueFullError",
    "RenasError",
    "SearchJob",
    "ServiceUnavailableError",
    "Study",
    "TooLargeError",
    "UnauthorizedError",
]
