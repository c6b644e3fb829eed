"""The whole study loop over HTTP with real training: tells queue a refit (coalesced, one per study at
a time), the refit trains an ensemble in the train worker and stores it as a model, asks then choose
by the ensemble's upper confidence bound; nothing waits forever and nothing is lost across restarts."""

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from service_apps import ClientFactory, wait_until

from service.spaces import get_space
from trainer.tables import load_nb201

FAST = {"job_lease_seconds": 5.0}


@pytest.fixture(scope="module")
def oracle(nb201_path: Path) -> dict[str, float]:
    """NB201's cifar10_valid accuracy of every network, by identity: the user's "training run"."""
    space = get_space("nb201")
    rows = load_nb201(nb201_path)
    cells = [space.parse({"arch": r.arch_str}) for r in rows]
    return dict(zip(space.identities(cells), (r.metrics["cifar10_valid"] for r in rows), strict=True))


def ask(client: TestClient, study: str, n: int, **body: object) -> dict:
    response = client.post(f"/studies/{study}/ask", json={"n": n, **body})
    assert response.status_code == 200, response.text
    return response.json()


def tell_all(client: TestClient, study: str, trials: list[dict], oracle: dict[str, float]) -> None:
    results = [{"trial": t["trial"], "value": oracle[t["hash"]]} for t in trials]
    response = client.post(f"/studies/{study}/tell", json={"results": results})
    assert response.status_code == 200, response.text


def refit_job(client: TestClient, study: str) -> str:
    job = client.get(f"/studies/{study}").json()["refit"]["job"]
    assert job is not None
    return job


def test_the_loop_learns_from_tells_and_asks_by_the_ensemble(
    app_factory: ClientFactory, oracle: dict[str, float]
) -> None:
    with app_factory(train_workers=1, **FAST) as client:
        assert client.get("/readyz").json()["training"] is True
        study = client.post("/studies", json={"space": "nb201", "seed": 1}).json()["id"]
        first = ask(client, study, 10)
        assert first["predictor"] is None
        assert {t["reason"] for t in first["trials"]} == {"initial design"}
        tell_all(client, study, first["trials"], oracle)
        assert client.get(f"/studies/{study}").json()["refit"]["state"] in {"queued", "running", "idle"}

        second = ask(client, study, 5, wait=True)  # waits for the refit the tell queued
        assert second["note"] is None and second["predictor"] is not None
        trials = second["trials"]
        assert {t["reason"] for t in trials} == {"acquisition"}
        assert all(t["predicted"]["spread"] >= 0 for t in trials)
        seen = {t["hash"] for t in first["trials"]}
        assert not seen & {t["hash"] for t in trials}

        summary = client.get(f"/studies/{study}").json()
        predictor = summary["predictor"]
        assert predictor["model"] == second["predictor"] and predictor["cells"] == 10
        assert predictor["members"] == 3 and summary["refit"]["state"] == "idle"

        models = {m["card"]["id"]: m for m in client.get("/models").json()["models"]}
        assert models[predictor["model"]]["stored"] is True
        card = models[predictor["model"]]["card"]
        assert (card["space"], card["dataset"], card["spread_output"]) == ("nb201", "custom", "spread")
        scored = client.post(
            "/predict", json={"space": "nb201", "model": predictor["model"], "cells": [trials[0]["cell"]]}
        )
        assert scored.status_code == 200, scored.text
        assert scored.json()["predictions"][0]["spread"] is not None

    with app_factory(train_workers=0) as client:  # a restart: the stored model is still served by id
        again = ask(client, study, 3)
        assert again["predictor"] == predictor["model"]
        assert {t["reason"] for t in again["trials"]} == {"acquisition"}


def test_refits_wait_for_a_train_worker_coalesced_and_run_when_one_appears(
    app_factory: ClientFactory, oracle: dict[str, float]
) -> None:
    with app_factory(train_workers=0) as client:
        ready = client.get("/readyz").json()
        assert (
            ready["ready"] and not ready["training"] and "RENAS_TRAIN_WORKERS=0" in ready["training_detail"]
        )
        study = client.post("/studies", json={"space": "nb201"}).json()["id"]
        tell_all(client, study, ask(client, study, 8)["trials"], oracle)
        queued = client.get(f"/studies/{study}").json()["refit"]
        assert queued["state"] == "unavailable" and queued["job"] is not None
        tell_all(client, study, ask(client, study, 4)["trials"], oracle)  # coalesced into the queued one
        assert client.get(f"/studies/{study}").json()["refit"]["job"] == queued["job"]
        waited = ask(client, study, 2, wait=True)  # nothing to wait for here: answers at once, and says why
        assert waited["predictor"] is None and "did not wait" in waited["note"]

    with app_factory(train_workers=1, **FAST) as client:
        wait_until(lambda: client.get(f"/train/{queued['job']}").json()["status"] == "succeeded", timeout=120)
        job = client.get(f"/train/{queued['job']}").json()
        assert job["result"]["cells"] == 12  # every value told before it ran
        summary = client.get(f"/studies/{study}").json()
        assert summary["predictor"]["model"] == job["result"]["model"] and summary["refit"]["state"] == "idle"


def test_a_refit_interrupted_by_a_restart_runs_again(
    app_factory: ClientFactory, oracle: dict[str, float]
) -> None:
    with app_factory(train_workers=1, **FAST) as client:
        study = client.post("/studies", json={"space": "nb201", "seed": 2}).json()["id"]
        tell_all(client, study, ask(client, study, 10)["trials"], oracle)
        job_id = refit_job(client, study)
        wait_until(lambda: client.get(f"/train/{job_id}").json()["status"] == "running", timeout=60)
    # shut down mid-refit: the worker gave the job back, no attempt counted
    with app_factory(train_workers=1, **FAST) as client:
        wait_until(lambda: client.get(f"/train/{job_id}").json()["status"] == "succeeded", timeout=120)
        assert client.get(f"/train/{job_id}").json()["attempts"] == 1
        assert client.get(f"/studies/{study}").json()["counts"]["told"] == 10


def test_train_on_inline_cells_makes_a_model_served_by_id(
    app_factory: ClientFactory, oracle: dict[str, float]
) -> None:
    space = get_space("nb201")
    cells = space.sample(np.random.default_rng(0), 12)
    labelled = [{"cell": space.to_json(c), "value": oracle[space.identity(c)]} for c in cells]
    with app_factory(train_workers=1, **FAST) as client:
        bad = client.post(
            "/train", json={"space": "nb201", "cells": [*labelled[:2], {"cell": {"arch": "x"}, "value": 1}]}
        )
        assert bad.status_code == 422 and "cells[2].cell" in bad.json()["detail"][0]["msg"]
        neither = client.post("/train", json={"space": "nb201"})
        assert neither.status_code == 422
        unknown = client.post("/train", json={"space": "nb201", "study": "nope"})
        assert unknown.status_code == 404
        created = client.post("/train", json={"space": "nb201", "cells": labelled, "members": 2, "epochs": 5})
        assert created.status_code == 202 and created.headers["location"] == f"/train/{created.json()['id']}"
        job_id = created.json()["id"]
        wait_until(lambda: client.get(f"/train/{job_id}").json()["status"] == "succeeded", timeout=120)
        result = client.get(f"/train/{job_id}").json()["result"]
        assert result["cells"] == 12
        ranked = client.post(
            "/rank",
            json={"space": "nb201", "model": result["model"], "cells": [c["cell"] for c in labelled[:3]]},
        )
        assert ranked.status_code == 200 and all(r["spread"] is not None for r in ranked.json()["ranking"])
        assert result["oob_kendall_tau"] is not None  # bootstrap resamples leave cells out to judge by
        request = {"space": "nb201", "cells": labelled, "members": 2, "epochs": 5, "bootstrap": False}
        every = client.post("/train", json=request).json()["id"]
        wait_until(lambda: client.get(f"/train/{every}").json()["status"] == "succeeded", timeout=120)
        assert client.get(f"/train/{every}").json()["result"]["oob_kendall_tau"] is None  # nothing left out
