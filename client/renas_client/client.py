"""``Client``: one method per route, a handle per search job and per study (``AsyncClient`` in
``aio.py`` is the same over httpx's async client; both run the requests of ``calls.py``).

Retries (with backoff) only where a retry cannot do a thing twice: reads, and tells. A POST /search
or an ask is never retried blindly. Connections that never reached the service are retried by the
transport, which is safe for any request.
"""

import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

import httpx

from renas_client import calls
from renas_client.calls import Call
from renas_client.errors import raise_for
from renas_client.models import (
    JobOut,
    PredictResponse,
    RankResponse,
    Readiness,
    SearchResultOut,
    StudyOut,
    TellResponse,
    TrainJobOut,
    TrialOut,
)


class Client:
    """A client of one service; use it as a context manager (or call ``close``)."""

    def __init__(
        self, base_url: str, api_key: str | None = None, *, timeout: float = 60.0, retries: int = 3
    ) -> None:
        transport = httpx.HTTPTransport(retries=retries)
        self._http = httpx.Client(transport=transport, **calls.connection(base_url, api_key, timeout))
        self.retries = retries
        self.studies = Studies(self)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def run(self, call: Call) -> Any:
        """Send ``call`` (again, where that is safe) and read its answer; errors as exceptions."""
        for attempt in range(calls.attempts(call, self.retries)):
            response = self._http.request(
                call.method,
                call.path,
                json=call.json,
                params=call.params or None,
                timeout=calls.timeout_of(call),
            )
            if not calls.again(call, response.status_code, attempt, self.retries):
                break
            time.sleep(calls.backoff(attempt))
        if response.status_code not in call.answers:
            raise_for(response)
        return call.parse(response.json())

    def ready(self) -> Readiness:
        return self.run(calls.ready())

    def models(self) -> list[dict[str, Any]]:
        return self.run(calls.models())

    def predict(
        self, space: str, cells: Iterable[Any], *, model: str | None = None, dataset: str | None = None
    ) -> PredictResponse:
        return self.run(calls.predict(space, cells, model, dataset))

    def rank(
        self,
        space: str,
        cells: Iterable[Any],
        *,
        top_k: int | None = None,
        model: str | None = None,
        dataset: str | None = None,
    ) -> RankResponse:
        return self.run(calls.rank(space, cells, top_k, model, dataset))

    def search(self, space: str, strategy: str, **request: Any) -> "SearchJob":
        """POST /search (never retried); the job's handle."""
        return SearchJob(self, self.run(calls.search(space, strategy, request)))

    def train(self, space: str, **request: Any) -> str:
        """POST /train (never retried) with ``cells=[{"cell": ..., "value": ...}]`` or ``study=<id>``,
        and ``variant``, ``members``, ``epochs``, ``seed``: the training job's id."""
        return self.run(calls.train(space, request))

    def training(self, job_id: str) -> TrainJobOut:
        """A training job's state; its ``result.model`` is the new model's id once it succeeded."""
        return self.run(calls.training(job_id))


class SearchJob:
    """A search job on the service: poll it, wait for it, cancel it, read its result."""

    def __init__(self, client: Client, job_id: str) -> None:
        self.client = client
        self.id = job_id

    def status(self) -> JobOut:
        return self.client.run(calls.job(self.id))

    def wait(self, *, progress: bool = False, poll: float = 0.5, timeout: float | None = None) -> JobOut:
        """The job once it has finished; with ``progress`` a one-line progress bar on stderr."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while (job := self.status()).status not in calls.FINISHED:
            if progress:
                progress_bar(job)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {self.id} still {job.status} after {timeout} s")
            time.sleep(poll)
        if progress:
            progress_bar(job, end="\n")
        return job

    def cancel(self) -> JobOut:
        return self.client.run(calls.cancel(self.id))

    def result(self) -> SearchResultOut:
        """The result of a finished job; waits for it first."""
        return result_of(self.wait())


class Studies:
    """``client.studies``: create a study, or open one by id."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def create(self, space: str, *, candidates: Iterable[Any] | None = None, **settings: Any) -> "Study":
        """Settings: ``name``, ``goal`` ("maximize", "minimize"), ``seed``, ``max_params``, ``max_flops``."""
        return Study(self.client, self.client.run(calls.create_study(space, settings, candidates)))

    def get(self, study_id: str) -> "Study":
        study = Study(self.client, study_id)
        study.summary()  # NotFoundError for an unknown id
        return study


class Study:
    """A study: ask what to train next, tell what you measured, read the best so far."""

    def __init__(self, client: Client, study_id: str) -> None:
        self.client = client
        self.id = study_id

    def ask(self, n: int = 10, *, wait: bool = False) -> list[TrialOut]:
        """``n`` trials to measure; ``wait``: first let a pending refit finish (bounded by the service)."""
        return self.client.run(calls.ask(self.id, n, wait=wait)).trials

    def tell(self, results: Sequence[dict[str, Any]]) -> TellResponse:
        """Results: ``{"trial": 3, "value": 71.2}``, ``{"trial": 4, "failed": True}`` or
        ``{"cell": <any cell form>, "value": 69.0}``."""
        return self.client.run(calls.tell(self.id, results))

    def summary(self) -> StudyOut:
        return self.client.run(calls.study(self.id))

    def best(self) -> tuple[dict[str, Any], float] | None:
        """(cell, value) of the best told trial; None before the first value."""
        return best_of(self.summary())

    def trials(self) -> list[TrialOut]:
        """Every trial, by number (pages through them)."""
        trials: list[TrialOut] = []
        while True:
            page = self.client.run(calls.trials_page(self.id, len(trials)))
            trials += [TrialOut.model_validate(t) for t in page["items"]]
            if len(trials) >= page["total"] or not page["items"]:
                return trials


def result_of(job: JobOut) -> SearchResultOut:
    if job.result is None:
        raise RuntimeError(f"job {job.id} {job.status}: {job.error}")
    return job.result


def best_of(study: StudyOut) -> tuple[dict[str, Any], float] | None:
    return None if study.best is None else (study.best.cell, study.best.value)


def progress_bar(job: JobOut, *, end: str = "", width: int = 30) -> None:
    fraction = job.progress.fraction
    filled = "" if fraction is None else "#" * round(fraction * width)
    done = "?" if fraction is None else f"{fraction:4.0%}"
    best = "-" if job.progress.best_score is None else f"{job.progress.best_score:.4f}"
    cells = f"{job.progress.evaluated:,} cells"
    sys.stderr.write(f"\r{job.id[:8]} {job.status:9} [{filled:<{width}}] {done} {cells}, best {best}{end}")
