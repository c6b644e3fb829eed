"""Starting the app in tests: settings over a temporary database, the lifespan run by TestClient."""

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.core.config import Settings
from service.main import create_app

ClientFactory = Callable[..., AbstractContextManager[TestClient]]
UNFINISHED = {"queued", "running"}
FINISHED = {"succeeded", "failed", "cancelled"}


def make_settings(models_dir: Path, database: Path, **overrides: Any) -> Settings:
    """Settings for a test app: no train worker unless a test asks for one (each is a process)."""
    return Settings(
        models_dir=models_dir,
        database_url=f"sqlite:///{database}",
        providers=["CPUExecutionProvider"],
        **{"train_workers": 0, **overrides},
    )


@contextmanager
def running_app(settings: Settings) -> Iterator[TestClient]:
    """A TestClient whose lifespan (models, database, worker pool) runs for the with-block."""
    with TestClient(create_app(settings)) as client:
        yield client


def wait_for_job(client: TestClient, job_id: str, statuses: set[str], timeout: float = 30.0) -> dict:
    """The job's body once its status is one of ``statuses``; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/search/{job_id}").json()
        if job["status"] in statuses:
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} still {job['status']} after {timeout} s")
        time.sleep(0.05)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Return once ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still not true after {timeout} s: {condition}")
        time.sleep(0.05)
