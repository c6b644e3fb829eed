"""Service fixtures: a temporary models folder of tiny ONNX models, and apps run with their lifespan."""

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_apps import ClientFactory, make_settings, running_app
from tiny_models import write_test_models


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models")
    write_test_models(path)
    return path


@pytest.fixture(scope="module")
def client(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app per test module, over its own database."""
    database = tmp_path_factory.mktemp("db") / "renas.db"
    with running_app(make_settings(models_dir, database)) as client:
        yield client


@pytest.fixture
def app_factory(models_dir: Path, tmp_path: Path) -> ClientFactory:
    """Apps over one database file per test; keyword arguments override settings."""

    def factory(**overrides: Any) -> AbstractContextManager[TestClient]:
        return running_app(make_settings(models_dir, tmp_path / "renas.db", **overrides))

    return factory
