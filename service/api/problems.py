"""The one shape of every error answer: ``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}``,
FastAPI's validation shape, for a 404 or a 429 as much as for a 422, so a client reads every error
the same way; and the OpenAPI description of it, with an example per status."""

import json
from typing import Any

from pydantic import BaseModel, Field

TYPES = {
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "queue_full",
    500: "internal",
    503: "unavailable",
}


class Problem(BaseModel):
    loc: list[str | int] = Field(
        description="where in the request: e.g. body, cells, 3; empty for the whole request"
    )
    msg: str = Field(description="what is wrong, for a person")
    type: str = Field(description="what kind of error, for a program")


class ErrorOut(BaseModel):
    detail: list[Problem]


def problems(status: int, message: str, loc: list[str | int] | None = None) -> dict[str, Any]:
    """The body of an error answer with one problem."""
    return {"detail": [{"loc": loc or [], "msg": message, "type": TYPES.get(status, f"http_{status}")}]}


def problem_bytes(status: int, message: str) -> bytes:
    return json.dumps(problems(status, message), separators=(",", ":")).encode()


EXAMPLES = {
    401: "missing or wrong X-API-Key",
    404: "no search job 'c0ffee'",
    409: "job c0ffee has already succeeded",
    413: "25000 cells in one request; at most 20000 are allowed",
    429: "200 jobs are queued, the most the service holds",
    503: "database unavailable: attempt to write a readonly database",
}


def documented(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses``: for each status its description, the error shape and an example."""
    return {
        status: {
            "model": ErrorOut,
            "description": description,
            "content": {"application/json": {"example": problems(status, EXAMPLES[status])}},
        }
        for status, description in descriptions.items()
    }
