"""GET /healthz, /readyz, /models and /metrics."""

import shutil
from pathlib import Path

from cells import NB201_SKIPS
from fastapi.testclient import TestClient
from service_apps import make_settings, running_app

from service import migrations
from service.core.config import Settings


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {
        "ready": True,
        "models": 4,
        "database": True,
        "database_writable": True,
        "nb101_hash_table": "off",  # tests run without it unless they set one up
        "training": False,  # test apps start no train worker unless they ask for one
        "training_detail": "training is off in this process (RENAS_TRAIN_WORKERS=0); "
        "refits wait for a train worker",
    }


def test_models_lists_cards_and_providers(client: TestClient) -> None:
    body = client.get("/models").json()
    assert sorted(m["card"]["id"] for m in body["models"]) == [
        "nb101-tiny", "nb201-a-other", "nb201-b-default", "nb201-c100",
    ]  # fmt: skip
    assert all(m["providers"] == ["CPUExecutionProvider"] for m in body["models"])
    assert body["rejected"] == []


def test_metrics_count_requests(client: TestClient) -> None:
    client.post("/predict", json={"space": "nb201", "cells": [NB201_SKIPS]})
    text = client.get("/metrics").text
    assert 'handler="/predict"' in text


def test_not_ready_without_models_and_bad_models_rejected(models_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "models"
    bad.mkdir()
    shutil.copy(models_dir / "nb101-tiny.json", bad)
    (bad / "nb101-tiny.onnx").write_bytes(b"not the model the card hashed")
    (bad / "garbage.json").write_text("{}")
    with running_app(make_settings(bad, tmp_path / "db.sqlite")) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {
            "ready": False,
            "models": 0,
            "database": True,
            "database_writable": True,
            "nb101_hash_table": "off",
            "training": False,
            "training_detail": "training is off in this process (RENAS_TRAIN_WORKERS=0); "
            "refits wait for a train worker",
        }
        rejected = {r["file"]: r["reason"] for r in client.get("/models").json()["rejected"]}
        assert rejected["nb101-tiny.json"] == "sha256 of nb101-tiny.onnx differs from the card's"
        assert rejected["garbage.json"].startswith("not a valid model card")
        response = client.post("/predict", json={"space": "nb201", "cells": [NB201_SKIPS]})
        assert response.status_code == 404


def test_a_database_that_refuses_writes_is_not_ready_and_errors_are_json_503s(
    models_dir: Path, tmp_path: Path
) -> None:
    """A read-only database: reads still answer, /readyz says why it is not ready, writes get a JSON
    503 with the reason (never a plain-text 500)."""
    path = tmp_path / "renas.db"
    migrations.upgrade(f"sqlite:///{path}")
    read_only = Settings(
        models_dir=models_dir,
        database_url=f"sqlite:///file:{path}?mode=ro&uri=true",
        providers=["CPUExecutionProvider"],
    )
    with running_app(read_only) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert (ready.json()["database"], ready.json()["database_writable"]) == (True, False)
        assert client.get("/search").status_code == 200
        refused = client.post("/search", json={"space": "nb201", "strategy": "exhaustive"})
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/json"
        assert (
            refused.json()["detail"][0]["msg"] == "database unavailable: attempt to write a readonly database"
        )
        study = client.post("/studies", json={"space": "nb201"})
        assert study.status_code == 503
