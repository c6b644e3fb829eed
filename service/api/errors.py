"""Domain errors -> HTTP answers, so routes stay free of try/except and nothing leaks as a 500."""

from collections.abc import Callable

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from service.inference.cells import InvalidCellsError
from service.inference.registry import ModelNotFoundError
from service.jobs.service import JobStateError


class TooManyCellsError(ValueError):
    """More cells than ``max_cells_per_request``."""


def _invalid_cells(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidCellsError)
    detail = [
        {"loc": ["body", "cells", index], "msg": message, "type": "invalid_cell"}
        for index, message in exc.errors
    ]
    return JSONResponse({"detail": detail, "invalid_cells": exc.total}, status.HTTP_422_UNPROCESSABLE_CONTENT)


def _status(code: int) -> Callable[[Request, Exception], JSONResponse]:
    def handler(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, code)

    return handler


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(InvalidCellsError, _invalid_cells)
    app.add_exception_handler(ModelNotFoundError, _status(status.HTTP_404_NOT_FOUND))
    app.add_exception_handler(TooManyCellsError, _status(status.HTTP_413_CONTENT_TOO_LARGE))
    app.add_exception_handler(JobStateError, _status(status.HTTP_409_CONFLICT))
