"""``AsyncClient``: ``Client`` over httpx's async client, for notebooks and services that run an
event loop; the same methods, awaited, running the same requests (``calls.py``)."""

import asyncio
import time
from collections.abc import Iterable, Sequence
from typing import Any

import httpx

from renas_client import calls
from renas_client import models as m
from renas_client.calls import Call
from renas_client.client import best_of, progress_bar, result_of
from renas_client.errors import raise_for


class AsyncClient:
    """``async with AsyncClient(base_url) as client: await client.predict(...)``."""

    def __init__(
        self, base_url: str, api_key: str | None = None, *, timeout: float = 60.0, retries: int = 3
    ) -> None:
        transport = httpx.AsyncHTTPTransport(retries=retries)
        self._http = httpx.AsyncClient(transport=transport, **calls.connection(base_url, api_key, timeout))
        self.retries = retries
        self.studies = AsyncStudies(self)

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def run(self, call: Call) -> Any:
        for attempt in range(calls.attempts(call, self.retries)):
            response = await self._http.request(
                call.method,
                call.path,
                json=call.json,
                params=call.params or None,
                timeout=calls.timeout_of(call),
            )
            if not calls.again(call, response.status_code, attempt, self.retries):
                break
            await asyncio.sleep(calls.backoff(attempt))
        if response.status_code not in call.answers:
            raise_for(response)
        return call.parse(response.json())

    async def ready(self) -> m.Readiness:
        return await self.run(calls.ready())

    async def models(self) -> list[dict[str, Any]]:
        return await self.run(calls.models())

    async def predict(
        self, space: str, cells: Iterable[Any], *, model: str | None = None, dataset: str | None = None
    ) -> m.PredictResponse:
        return await self.run(calls.predict(space, cells, model, dataset))

    async def rank(
        self,
        space: str,
        cells: Iterable[Any],
        *,
        top_k: int | None = None,
        model: str | None = None,
        dataset: str | None = None,
    ) -> m.RankResponse:
        return await self.run(calls.rank(space, cells, top_k, model, dataset))

    async def search(self, space: str, strategy: str, **request: Any) -> "AsyncSearchJob":
        return AsyncSearchJob(self, await self.run(calls.search(space, strategy, request)))


class AsyncSearchJob:
    def __init__(self, client: AsyncClient, job_id: str) -> None:
        self.client = client
        self.id = job_id

    async def status(self) -> m.JobOut:
        return await self.client.run(calls.job(self.id))

    async def wait(
        self, *, progress: bool = False, poll: float = 0.5, timeout: float | None = None
    ) -> m.JobOut:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (job := await self.status()).status not in calls.FINISHED:
            if progress:
                progress_bar(job)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {self.id} still {job.status} after {timeout} s")
            await asyncio.sleep(poll)
        if progress:
            progress_bar(job, end="\n")
        return job

    async def cancel(self) -> m.JobOut:
        return await self.client.run(calls.cancel(self.id))

    async def result(self) -> m.SearchResultOut:
        return result_of(await self.wait())


class AsyncStudies:
    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def create(
        self, space: str, *, candidates: Iterable[Any] | None = None, **settings: Any
    ) -> "AsyncStudy":
        return AsyncStudy(self.client, await self.client.run(calls.create_study(space, settings, candidates)))

    async def get(self, study_id: str) -> "AsyncStudy":
        study = AsyncStudy(self.client, study_id)
        await study.summary()
        return study


class AsyncStudy:
    def __init__(self, client: AsyncClient, study_id: str) -> None:
        self.client = client
        self.id = study_id

    async def ask(self, n: int = 10, *, wait: bool = False) -> list[m.TrialOut]:
        return (await self.client.run(calls.ask(self.id, n, wait=wait))).trials

    async def tell(self, results: Sequence[dict[str, Any]]) -> m.TellResponse:
        return await self.client.run(calls.tell(self.id, results))

    async def summary(self) -> m.StudyOut:
        return await self.client.run(calls.study(self.id))

    async def best(self) -> tuple[dict[str, Any], float] | None:
        return best_of(await self.summary())
