"""The service's errors as exceptions, each with the service's message (``detail``) and status."""

from typing import Any

import httpx


class RenasError(Exception):
    """Any error answer; ``status`` and ``detail`` are the service's."""

    def __init__(self, status: int, detail: Any) -> None:
        self.status = status
        self.detail = detail
        super().__init__(f"{status}: {_message(detail)}")


class InvalidCellsError(RenasError):
    """422: ``index`` is the first failing entry's position in the request's list (None if no cell failed)."""

    @property
    def index(self) -> int | None:
        for error in self.detail if isinstance(self.detail, list) else []:
            location = error.get("loc", [])
            if len(location) >= 3 and isinstance(location[2], int):
                return location[2]
        return None


class UnauthorizedError(RenasError):
    """401: missing or wrong API key."""


class NotFoundError(RenasError):
    """404: no such model, job, study or trial."""


class ConflictError(RenasError):
    """409: a job already finished, or a tell that contradicts an earlier one."""


class TooLargeError(RenasError):
    """413: too many cells or too large a body."""


class QueueFullError(RenasError):
    """429: the service's queue (or your share of it) is full; ``retry_after`` seconds is a fair wait."""

    retry_after: float | None = None


class ServiceUnavailableError(RenasError):
    """503: not ready, or the database refuses writes."""


BY_STATUS: dict[int, type[RenasError]] = {
    401: UnauthorizedError,
    404: NotFoundError,
    409: ConflictError,
    413: TooLargeError,
    422: InvalidCellsError,
    429: QueueFullError,
    503: ServiceUnavailableError,
}


def raise_for(response: httpx.Response) -> None:
    """The matching exception for an error answer; nothing for a success."""
    if response.is_success:
        return
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    error = BY_STATUS.get(response.status_code, RenasError)(response.status_code, detail)
    if isinstance(error, QueueFullError) and "retry-after" in response.headers:
        error.retry_after = float(response.headers["retry-after"])
    raise error


def _message(detail: Any) -> str:
    if isinstance(detail, list):
        return "; ".join(str(e.get("msg", e)) if isinstance(e, dict) else str(e) for e in detail)
    return str(detail)
