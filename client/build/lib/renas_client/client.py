"""``Client``: one method per route, a handle per search job and per study.

Retries (with backoff) only where a retry cannot do a thing twice: reads, and tells (telling the
same value again is a no-op for the service). A POST /search is never retried blindly: a lost answer
could mean a job that exists.
"""

import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

import httpx

from renas_client.cells import cell_json
from renas_client.errors import raise_for
from renas_client.models import (
    JobOut,
    PredictResponse,
    RankResponse,
    Readiness,
    SearchResultOut,
    StudyOut,
    TellResponse,
    TrialOut,
)

RETRY_STATUSES = frozenset({502, 503, 504})
FINISHED = frozenset({"succeeded", "failed", "cancelled"})


class Client:
    """A client of one service; use it as a context manager (or call ``close``)."""

    def __init__(
        self, base_url: str, api_key: str | None = None, *, timeout: float = 60.0, retries: int = 3
    ) -> None:
        headers = {"X-API-Key": api_key} if api_key else {}
        # transport retries cover connections that never reached the service: safe for any request
        transport = httpx.HTTPTransport(retries=retries)
        self._http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout, transport=transport)
        self.retries = retries
        self.studies = Studies(self)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, *, retry: bool, **kwargs: Any) -> Any:
        for attempt in range(self.retries + 1 if retry else 1):
            response = self._http.request(method, path, **kwargs)
            if not (retry and response.status_code in RETRY_STATUSES and attempt < self.retries):
                break
            time.sleep(min(0.25 * 2**attempt, 4.0))
        raise_for(response)
        return response.json()

    def ready(self) -> Readiness:
        """GET /readyz (a 503 still answers: readiness is the answer, not an error)."""
        response = self._http.get("/readyz")
        if response.status_code not in (200, 503):
            raise_for(response)
        return Readiness.model_validate(response.json())

    def models(self) -> list[dict[str, Any]]:
        """GET /models: the loaded models' cards and providers."""
        return self._call("GET", "/models", retry=True)["models"]

    def predict(
        self, space: str, cells: Iterable[Any], *, model: str | None = None, dataset: str | None = None
    ) -> PredictResponse:
        body = _cells_body(space, cells, model=model, dataset=dataset)
        return PredictResponse.model_validate(self._call("POST", "/predict", retry=True, json=body))

    def rank(
        self,
        space: str,
        cells: Iterable[Any],
        *,
        top_k: int | None = None,
        model: str | None = None,
        dataset: str | None = None,
    ) -> RankResponse:
        body = _cells_body(space, cells, model=model, dataset=dataset) | _given(top_k=top_k)
        return RankResponse.model_validate(self._call("POST", "/rank", retry=True, json=body))

    def search(self, space: str, strategy: str, **request: Any) -> "SearchJob":
        """POST /search (never retried); the job's handle."""
        body = {"space": space, "strategy": strategy, **{k: v for k, v in request.items() if v is not None}}
        created = self._call("POST", "/search", retry=False, json=body)
        return SearchJob(self, created["id"])


class SearchJob:
    """A search job on the service: poll it, wait for it, cancel it, read its result."""

    def __init__(self, client: Client, job_id: str) -> None:
        self.client = client
        self.id = job_id

    def status(self) -> JobOut:
        return JobOut.model_validate(self.client._call("GET", f"/search/{self.id}", retry=True))

    def wait(self, *, progress: bool = False, poll: float = 0.5, timeout: float | None = None) -> JobOut:
        """The job once it has finished; with ``progress`` a one-line progress bar on stderr."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.status()
            if progress:
                _bar(job)
            if job.status in FINISHED:
                if progress:
                    sys.stderr.write("\n")
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {self.id} still {job.status} after {timeout} s")
            time.sleep(poll)

    def cancel(self) -> JobOut:
        return JobOut.model_validate(self.client._call("POST", f"/search/{self.id}/cancel", retry=True))

    def result(self) -> SearchResultOut:
        """The result of a finished job; waits for it first."""
        job = self.wait()
        if job.result is None:
            raise RuntimeError(f"job {self.id} {job.status}: {job.error}")
        return job.result


class Studies:
    """``client.studies``: create and list studies."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def create(
        self,
        space: str,
        *,
        name: str = "",
        goal: str = "maximize",
        seed: int = 0,
        max_params: int | None = None,
        max_flops: int | None = None,
        candidates: Iterable[Any] | None = None,
    ) -> "Study":
        body = {"space": space, "name": name, "goal": goal, "seed": seed}
        body |= _given(max_params=max_params, max_flops=max_flops)
        if candidates is not None:
            body["candidates"] = [cell_json(c) for c in candidates]
        created = self.client._call("POST", "/studies", retry=False, json=body)
        return Study(self.client, created["id"])

    def get(self, study_id: str) -> "Study":
        study = Study(self.client, study_id)
        study.summary()  # NotFoundError for an unknown id
        return study


class Study:
    """A study: ask what to train next, tell what you measured, read the best so far."""

    def __init__(self, client: Client, study_id: str) -> None:
        self.client = client
        self.id = study_id

    def ask(self, n: int = 10) -> list[TrialOut]:
        """Never retried: a lost answer would have created trials (the next ask proposes others)."""
        answer = self.client._call("POST", f"/studies/{self.id}/ask", retry=False, json={"n": n})
        return [TrialOut.model_validate(t) for t in answer["trials"]]

    def tell(self, results: Sequence[dict[str, Any]]) -> TellResponse:
        """Results: ``{"trial": 3, "value": 71.2}``, ``{"trial": 4, "failed": True}`` or
        ``{"cell": <any cell form>, "value": 69.0}``. Retried on a lost answer: telling again is a no-op."""
        body = {"results": [_result(r) for r in results]}
        return TellResponse.model_validate(
            self.client._call("POST", f"/studies/{self.id}/tell", retry=True, json=body)
        )

    def summary(self) -> StudyOut:
        return StudyOut.model_validate(self.client._call("GET", f"/studies/{self.id}", retry=True))

    def best(self) -> tuple[dict[str, Any], float] | None:
        """(cell, value) of the best told trial; None before the first value."""
        best = self.summary().best
        return None if best is None else (best.cell, best.value)

    def trials(self) -> list[TrialOut]:
        """Every trial, by number (pages through them)."""
        trials: list[TrialOut] = []
        while True:
            page = self.client._call(
                "GET", f"/studies/{self.id}/trials", retry=True, params={"offset": len(trials), "limit": 1000}
            )
            trials += [TrialOut.model_validate(t) for t in page["items"]]
            if len(trials) >= page["total"] or not page["items"]:
                return trials


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _cells_body(
    space: str, cells: Iterable[Any], *, model: str | None, dataset: str | None
) -> dict[str, Any]:
    return {"space": space, "cells": [cell_json(c) for c in cells]} | _given(model=model, dataset=dataset)


def _result(result: dict[str, Any]) -> dict[str, Any]:
    return {**result, "cell": cell_json(result["cell"])} if "cell" in result else dict(result)


def _bar(job: JobOut, width: int = 30) -> None:
    fraction = job.progress.fraction
    filled = "" if fraction is None else "#" * round(fraction * width)
    done = "?" if fraction is None else f"{fraction:4.0%}"
    best = "-" if job.progress.best_score is None else f"{job.progress.best_score:.4f}"
    cells = f"{job.progress.evaluated:,} cells"
    sys.stderr.write(f"\r{job.id[:8]} {job.status:9} [{filled:<{width}}] {done} {cells}, best {best}")
