"""Shared fixtures: where the benchmark tables are, and how their absence is handled.

Tests that read ../shared/data skip with a reason when it is missing, except where
RENAS_REQUIRE_DATA=1 (set by .ci/run): there a missing table is a failure, so CI never
passes by skipping them. Tests on PostgreSQL (``postgres_url``: a database of their own, dropped
afterwards) skip where no server answers at RENAS_TEST_POSTGRES, except where
RENAS_REQUIRE_POSTGRES=1 (also set by .ci/run).

Service tests get a temporary models folder of tiny ONNX models (``tiny_models.py``) and apps run
with their lifespan (``service_apps.py``).

Tests run without the NB101 hash table unless they set one up (RENAS_NB101_HASH_TABLE blank): an app
or server they start must neither read the developer's cached table nor spend half a minute building it.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from service_apps import ClientFactory, make_settings, running_app
from tiny_models import write_test_models

from trainer.settings import data_dir

os.environ["RENAS_NB101_HASH_TABLE"] = ""
# The server every development and CI machine runs (trust auth); its ``postgres`` database is only
# used to create and drop each test's own database.
POSTGRES = os.environ.get("RENAS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _data_file(name: str) -> Path:
    path = data_dir() / name
    if not path.is_file():
        reason = f"benchmark table {path} is absent (set RENAS_DATA_DIR to the folder holding it)"
        if os.environ.get("RENAS_REQUIRE_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = f"renas_test_{uuid.uuid4().hex[:12]}"
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        reason = f"no PostgreSQL server answers at {POSTGRES} ({type(error.orig).__name__})"
        if os.environ.get("RENAS_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def nb101_path() -> Path:
    return _data_file("nb101_20k.jsonl.gz")


@pytest.fixture(scope="session")
def nb201_path() -> Path:
    return _data_file("nb201.csv")


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
