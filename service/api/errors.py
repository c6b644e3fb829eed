"""Domain errors -> HTTP answers in the one error shape (``service.api.problems``), so routes stay
free of try/except and nothing leaks as a 500."""

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.api.problems import problems
from service.inference.cells import InvalidCellsError
from service.inference.registry import ModelLoadError, ModelNotFoundError
from service.jobs.service import JobStateError, QueueFullError
from service.studies.service import StudyNotFoundError, TellConflictError, TrialNotFoundError


class TooManyCellsError(ValueError):
    """More cells than ``max_cells_per_request``."""


MAX_ECHOED_CHARS = 200  # of the offending input, per validation error: a 15 MB bad value is not sent back


def _clipped(value: Any) -> Any:
    """``value`` as given when its JSON is short, else the start of its JSON text, marked as cut."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(jsonable_encoder(value), default=str, allow_nan=False)
        except ValueError:  # NaN or Infinity inside: JSON cannot carry them, their text can
            return _clipped(json.dumps(jsonable_encoder(value), default=str))
    if len(text) <= MAX_ECHOED_CHARS:
        return value
    return f"{text[:MAX_ECHOED_CHARS]}... ({len(text):,} characters in all)"


def _request_validation(_: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 shape (``detail`` list with loc, msg, type, input), each ``input`` clipped."""
    assert isinstance(exc, RequestValidationError)
    detail = []
    for error in jsonable_encoder(exc.errors()):
        if "input" in error:
            error["input"] = _clipped(error["input"])
        if "ctx" in error:
            error["ctx"] = {key: _clipped(value) for key, value in error["ctx"].items()}
        detail.append(error)
    return JSONResponse({"detail": detail}, status.HTTP_422_UNPROCESSABLE_CONTENT)


def _invalid_cells(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidCellsError)
    detail = [
        {"loc": ["body", exc.field, index], "msg": message, "type": "invalid_cell"}
        for index, message in exc.errors
    ]
    return JSONResponse({"detail": detail, "invalid_cells": exc.total}, status.HTTP_422_UNPROCESSABLE_CONTENT)


def _status(code: int) -> Callable[[Request, Exception], JSONResponse]:
    def handler(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(problems(code, str(exc)), code)

    return handler


def _http(_: Request, exc: Exception) -> JSONResponse:
    """HTTPExceptions (the routes' 404s and 422s, Starlette's unknown paths and methods) in the one shape."""
    assert isinstance(exc, StarletteHTTPException)
    body = (
        {"detail": exc.detail} if isinstance(exc.detail, list) else problems(exc.status_code, str(exc.detail))
    )
    return JSONResponse(body, exc.status_code, headers=exc.headers)


def _queue_full(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueueFullError)
    headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(problems(429, str(exc)), status.HTTP_429_TOO_MANY_REQUESTS, headers=headers)


def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
    """The database refused (read-only, disk full, unreachable): 503 with the reason, never a bare 500."""
    assert isinstance(exc, DBAPIError)
    reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
    return JSONResponse(problems(503, f"database unavailable: {reason}"), status.HTTP_503_SERVICE_UNAVAILABLE)


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    """Whatever else went wrong is logged with its traceback and answered in JSON, like every error."""
    return JSONResponse(problems(500, f"internal error ({type(exc).__name__})"), 500)


# Domain errors whose answer is their message with a status.
STATUS_OF: dict[type[Exception], int] = {
    ModelNotFoundError: status.HTTP_404_NOT_FOUND,
    ModelLoadError: status.HTTP_503_SERVICE_UNAVAILABLE,  # a stored model this version cannot serve
    StudyNotFoundError: status.HTTP_404_NOT_FOUND,
    TrialNotFoundError: status.HTTP_404_NOT_FOUND,
    JobStateError: status.HTTP_409_CONFLICT,
    TellConflictError: status.HTTP_409_CONFLICT,
    TooManyCellsError: status.HTTP_413_CONTENT_TOO_LARGE,
}


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(InvalidCellsError, _invalid_cells)
    for error, code in STATUS_OF.items():
        app.add_exception_handler(error, _status(code))
    app.add_exception_handler(QueueFullError, _queue_full)
    app.add_exception_handler(DBAPIError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
