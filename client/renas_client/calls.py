"""Every request the clients make, without I/O: what to send, whether a retry is safe, how to read
the answer. ``Client`` runs them with httpx's sync client, ``AsyncClient`` with its async one, so the
two cannot drift apart."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from renas_client.cells import cell_json
from renas_client.models import (
    AskResponse,
    JobOut,
    PredictResponse,
    RankResponse,
    Readiness,
    StudyOut,
    TellResponse,
    TrainJobOut,
)

FINISHED = frozenset({"succeeded", "failed", "cancelled"})


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    retry: bool  # safe to send again: a read, or a tell (telling the same again is a no-op)
    parse: Callable[[Any], Any] = lambda body: body
    json: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    answers: frozenset[int] = frozenset()  # error statuses that are an answer, not an error
    timeout: float | None = None  # seconds to wait for the answer; None: the client's timeout


RETRY_STATUSES = frozenset({502, 503, 504})


def connection(base_url: str, api_key: str | None, timeout: float) -> dict[str, Any]:
    """The httpx client settings both clients share (the transport, sync or async, is theirs)."""
    return {"base_url": base_url, "headers": {"X-API-Key": api_key} if api_key else {}, "timeout": timeout}


def attempts(call: Call, retries: int) -> int:
    return retries + 1 if call.retry else 1


def again(call: Call, status: int, attempt: int, retries: int) -> bool:
    """Whether to send ``call`` once more after an answer with ``status``."""
    return call.retry and status in RETRY_STATUSES and status not in call.answers and attempt < retries


def backoff(attempt: int) -> float:
    return min(0.25 * 2**attempt, 4.0)


def ready() -> Call:
    """GET /readyz: a 503 still answers (readiness is the answer, not an error)."""
    return Call("GET", "/readyz", retry=False, parse=Readiness.model_validate, answers=frozenset({503}))


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _cells(space: str, cells: Iterable[Any], model: str | None, dataset: str | None) -> dict[str, Any]:
    return {"space": space, "cells": [cell_json(c) for c in cells]} | _given(model=model, dataset=dataset)


def models() -> Call:
    return Call("GET", "/models", retry=True, parse=lambda body: body["models"])


def predict(space: str, cells: Iterable[Any], model: str | None, dataset: str | None) -> Call:
    return Call(
        "POST", "/predict", True, PredictResponse.model_validate, _cells(space, cells, model, dataset)
    )


def rank(space: str, cells: Iterable[Any], top_k: int | None, model: str | None, dataset: str | None) -> Call:
    body = _cells(space, cells, model, dataset) | _given(top_k=top_k)
    return Call("POST", "/rank", True, RankResponse.model_validate, body)


def search(space: str, strategy: str, request: dict[str, Any]) -> Call:
    """Never retried: a lost answer could mean a job that exists."""
    body = {"space": space, "strategy": strategy, **_given(**request)}
    return Call("POST", "/search", retry=False, parse=lambda answer: answer["id"], json=body)


def job(job_id: str) -> Call:
    return Call("GET", f"/search/{job_id}", retry=True, parse=JobOut.model_validate)


def cancel(job_id: str) -> Call:
    return Call("POST", f"/search/{job_id}/cancel", retry=True, parse=JobOut.model_validate)


def create_study(space: str, settings: dict[str, Any], candidates: Iterable[Any] | None) -> Call:
    body = {"space": space, **_given(**settings)}
    if candidates is not None:
        body["candidates"] = [cell_json(c) for c in candidates]
    return Call("POST", "/studies", retry=False, parse=lambda answer: answer["id"], json=body)


def study(study_id: str) -> Call:
    return Call("GET", f"/studies/{study_id}", retry=True, parse=StudyOut.model_validate)


WAIT_TIMEOUT_S = 600.0  # an ask that waits for a refit: the service bounds the wait (RENAS_ASK_WAIT_SECONDS)


def ask(study_id: str, n: int, *, wait: bool = False) -> Call:
    """Never retried: a lost answer would have created trials (the next ask proposes others)."""
    return Call(
        "POST",
        f"/studies/{study_id}/ask",
        retry=False,
        parse=AskResponse.model_validate,
        json={"n": n, "wait": wait},
        timeout=WAIT_TIMEOUT_S if wait else None,
    )


def timeout_of(call: Call) -> Any:
    """The per-request timeout httpx takes: the call's own, else the client's."""
    return httpx.USE_CLIENT_DEFAULT if call.timeout is None else call.timeout


def train(space: str, request: dict[str, Any]) -> Call:
    """Never retried: a lost answer would have queued a job."""
    body = {"space": space, **request}
    return Call("POST", "/train", retry=False, parse=lambda answer: answer["id"], json=body)


def training(job_id: str) -> Call:
    return Call("GET", f"/train/{job_id}", retry=True, parse=TrainJobOut.model_validate)


def tell(study_id: str, results: Sequence[dict[str, Any]]) -> Call:
    body = {"results": [{**r, "cell": cell_json(r["cell"])} if "cell" in r else dict(r) for r in results]}
    return Call("POST", f"/studies/{study_id}/tell", True, TellResponse.model_validate, body)


def trials_page(study_id: str, offset: int) -> Call:
    return Call("GET", f"/studies/{study_id}/trials", retry=True, params={"offset": offset, "limit": 1000})
