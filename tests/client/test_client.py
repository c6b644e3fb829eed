"""The Python client against a live `renas-serve` (tiny models, its own database): every method,
cells in every form people hold them in, the errors as exceptions, and its models checked against
the service's OpenAPI schema."""

import asyncio
import importlib.metadata
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from cells import NB101_BAD_OP, NB101_BRANCHES, NB101_CHAIN, NB201_CONVS, NB201_SKIPS
from live_server import answers_ready, free_port, running
from renas_client import (
    AsyncClient,
    Client,
    ConflictError,
    InvalidCellsError,
    NotFoundError,
    QueueFullError,
    ServiceUnavailableError,
    TooLargeError,
)
from renas_client import models as client_models

from service.api.problems import problems
from service.main import create_app


@pytest.fixture(scope="module")
def base_url(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "RENAS_PORT": str(port),
        "RENAS_MODELS_DIR": str(models_dir),
        "RENAS_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'renas.db'}",
        "RENAS_PROVIDERS": '["CPUExecutionProvider"]',
    }
    env.pop("RENAS_API_KEY", None)
    url = f"http://127.0.0.1:{port}"
    with running(env, lambda: answers_ready(url)):
        yield url


class ModelSpec:
    """What nasbench's ModelSpec looks like to the client: ``.matrix`` (numpy) and ``.ops``."""

    def __init__(self, matrix: list[list[int]], ops: list[str]) -> None:
        self.matrix = np.array(matrix)
        self.ops = ops


def test_the_study_loop(base_url: str) -> None:
    with Client(base_url) as client:
        study = client.studies.create("nb201", name="loop", seed=1)
        trials = study.ask(3)
        for i, trial in enumerate(trials):
            study.tell([{"trial": trial.trial, "value": 70.0 + i}])
        study.tell([{"cell": NB201_CONVS["arch"], "value": 60.0}])  # measured elsewhere, as an arch string
        cell, value = study.best()
        assert value == 72.0 and cell == trials[2].cell
        assert study.summary().counts.told == 4 and len(study.trials()) == 4
        study.tell([{"trial": trials[0].trial, "value": 70.0}])  # the same again: fine
        with pytest.raises(ConflictError, match=r"already told value 70\.0"):
            study.tell([{"trial": trials[0].trial, "value": 1.0}])
        assert client.studies.get(study.id).id == study.id


def test_predict_and_rank_take_cells_in_every_form(base_url: str) -> None:
    with Client(base_url) as client:
        spec = ModelSpec(NB101_BRANCHES["matrix"], NB101_BRANCHES["ops"])
        predicted = client.predict("nb101", [NB101_CHAIN, spec])
        assert [p.index for p in predicted.predictions] == [0, 1]
        by_dict = client.predict("nb101", [NB101_BRANCHES]).predictions[0]
        assert (
            by_dict.hash == predicted.predictions[1].hash and by_dict.score == predicted.predictions[1].score
        )
        ranked = client.rank("nb201", [NB201_CONVS["arch"], NB201_SKIPS], top_k=1, dataset="cifar100")
        assert len(ranked.ranking) == 1 and ranked.model.dataset == "cifar100"
        assert ranked.ranking[0].spread is None and by_dict.spread is None  # single models
        assert (ranked.model.members, ranked.model.has_spread) == (1, False)
        assert client.ready().ready and client.models()


def test_a_search_job_handle(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with Client(base_url) as client:
        job = client.search("nb201", "random", top_k=2, params={"budget": 30})
        finished = job.wait(progress=True, poll=0.05)
        assert finished.status == "succeeded" and len(job.result().top) == 2
        assert "cells, best" in capsys.readouterr().err
        endless = client.search("nb101", "evolution", params={"population": 8, "generations": 10_000})
        assert endless.cancel().status == "cancelled"


def test_errors_are_exceptions_with_the_services_message(base_url: str) -> None:
    with Client(base_url) as client:
        with pytest.raises(InvalidCellsError) as invalid:
            client.predict("nb101", [NB101_CHAIN, NB101_BAD_OP])
        assert invalid.value.index == 1 and "conv5x5" in str(invalid.value)
        with pytest.raises(NotFoundError):
            client.predict("nb101", [NB101_CHAIN], model="no-such-model")
        with pytest.raises(NotFoundError):
            client.studies.get("no-such-study")


def _answering(status: int, body: dict, headers: dict | None = None) -> Client:
    client = Client("http://service", retries=2)
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body, headers=headers))
    client._http = httpx.Client(base_url="http://service", transport=transport)
    return client


def test_an_ensembles_spread_is_parsed() -> None:
    model = {
        "id": "e", "sha256": "0", "space": "nb201", "dataset": "cifar10", "label": "test",
        "variant": "renas6", "encoding": "renas-full", "providers": ["CPUExecutionProvider"],
        "members": 3, "has_spread": True,
    }  # fmt: skip
    entry = {"index": 0, "score": 1.5, "spread": 0.25, "hash": "h", "params": 1, "flops": 2}
    predicted = _answering(200, {"model": model, "predictions": [entry]}).predict("nb201", [NB201_CONVS])
    assert predicted.predictions[0].spread == 0.25 and predicted.model.members == 3
    ranked = _answering(200, {"model": model, "ranking": [{**entry, "rank": 1}]}).rank("nb201", [NB201_CONVS])
    assert ranked.ranking[0].spread == 0.25 and ranked.model.has_spread


def test_status_codes_map_to_exceptions() -> None:
    with pytest.raises(TooLargeError):
        _answering(413, problems(413, "too many cells")).predict("nb201", [NB201_CONVS])
    with pytest.raises(QueueFullError) as full:
        _answering(429, problems(429, "queue full"), {"Retry-After": "30"}).search("nb201", "exhaustive")
    assert full.value.retry_after == 30.0


def test_reads_are_retried_and_a_search_never_is() -> None:
    calls: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(503, json=problems(503, "busy"))

    client = Client("http://service", retries=2)
    client._http = httpx.Client(base_url="http://service", transport=httpx.MockTransport(flaky))
    with pytest.raises(Exception, match="busy"):
        client.models()
    assert calls == ["GET"] * 3
    calls.clear()
    with pytest.raises(Exception, match="busy"):
        client.search("nb201", "exhaustive")
    assert calls == ["POST"]


SHARED_SCHEMAS = (
    "ModelInfo", "Prediction", "PredictResponse", "RankedCell", "RankResponse", "Candidate",
    "SearchResultOut", "SearchProgress", "JobOut", "PredictedValue", "TrialOut", "TellResponse",
    "Best", "Counts", "HistoryPoint", "Refit", "Predictor", "StudyOut", "Readiness", "AskResponse",
    "TrainProgress", "TrainResult", "TrainJobOut",
)  # fmt: skip


@pytest.mark.parametrize("name", SHARED_SCHEMAS)
def test_client_models_match_the_service_schema(name: str) -> None:
    service = create_app().openapi()["components"]["schemas"][name]
    model = getattr(client_models, name)
    assert set(model.model_fields) == set(service["properties"])
    required = {field for field, info in model.model_fields.items() if info.is_required()}
    assert required <= set(service.get("required", [])), "the client requires what the service may omit"


def test_the_client_installs_without_the_service_stack() -> None:
    requires = importlib.metadata.requires("renas-client") or []
    assert sorted(r.split(">")[0] for r in requires) == ["httpx", "pydantic"]


def test_the_readmes_study_loop_runs(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    (block,) = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert "    ...\n" in block and "http://localhost:8000" in block
    code = block.replace("    ...\n", "    return float(len(cell['arch']))  # a stand-in measurement\n")
    exec(compile(code.replace("http://localhost:8000", base_url), "README.md", "exec"), {})
    best, predictor = capsys.readouterr().out.splitlines()  # what the example printed
    cell, value = eval(best)
    assert value == float(len(cell["arch"]))
    assert predictor.startswith("model='study-")  # the server has a train worker: the study refitted


def test_the_async_client_runs_the_same_calls(base_url: str) -> None:
    async def session() -> tuple[float, str, int]:
        async with AsyncClient(base_url) as client:
            assert (await client.ready()).ready
            predicted = await client.predict("nb201", [NB201_CONVS["arch"]])
            study = await client.studies.create("nb201", seed=2)
            (trial,) = await study.ask(1)
            await study.tell([{"trial": trial.trial, "value": 42.0}])
            _, value = await study.best()
            job = await client.search("nb201", "random", top_k=1, params={"budget": 10})
            result = await job.result()
            return value, predicted.predictions[0].hash, len(result.top)

    value, identity, top = asyncio.run(session())
    assert (value, top) == (42.0, 1) and identity


def test_the_async_client_retries_reads_only() -> None:
    calls: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(503, json=problems(503, "busy"))

    async def both() -> None:
        client = AsyncClient("http://service", retries=1)
        client._http = httpx.AsyncClient(base_url="http://service", transport=httpx.MockTransport(flaky))
        with pytest.raises(ServiceUnavailableError):
            await client.models()
        with pytest.raises(ServiceUnavailableError):
            await client.search("nb201", "exhaustive")
        await client.aclose()

    asyncio.run(both())
    assert calls == ["GET", "GET", "POST"]
