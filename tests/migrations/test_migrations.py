"""The schema's history: an empty database and one written by release 0.1.0 both reach the newest
revision, the models agree with the migrations, and concurrent start-ups migrate once."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from service import migrations
from service.core.db import make_engine, make_sessionmaker
from service.jobs import service as jobs
from service.jobs.models import Job
from service.jobs.schemas import job_out
from service.migrations.cli import app as db_cli

RELEASE_0_1_DB = Path(__file__).resolve().parent / "data" / "release-0.1.0.db"
# What data/README.md says the file holds, by status.
RELEASE_0_1_JOBS = {"succeeded": 1, "cancelled": 1, "failed": 1, "running": 1, "queued": 1}


class Quick(BaseModel):
    space: str


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def jobs_in(url: str) -> list[Job]:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as db:
            return list(db.scalars(select(Job).order_by(Job.created_at)))
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_an_empty_database_reaches_head_and_matches_the_models(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "new.db")
    assert migrations.current(url) is None
    migrations.upgrade(url)
    assert migrations.current(url) == migrations.head()
    assert tables(url) == {"alembic_version", "jobs", "models", "studies", "trials", "workers"}
    assert migrations.schema_drift(url) == []
    migrations.upgrade(url)  # a second start-up finds nothing to do
    assert migrations.current(url) == migrations.head()


def test_schema_drift_is_seen(tmp_path: Path) -> None:
    """The check above can fail: a database one revision behind differs from the models."""
    url = sqlite_url(tmp_path / "old.db")
    migrations.upgrade(url, "0001")
    assert migrations.schema_drift(url) != []


def test_a_release_0_1_database_upgrades_in_place_without_losing_a_job(tmp_path: Path) -> None:
    path = tmp_path / "renas.db"
    shutil.copy(RELEASE_0_1_DB, path)
    url = sqlite_url(path)
    assert migrations.current(url) is None and "search_jobs" in tables(url)

    migrations.upgrade(url)

    assert migrations.current(url) == migrations.head()
    assert "search_jobs" not in tables(url)
    assert migrations.schema_drift(url) == []
    found = jobs_in(url)
    assert {s: sum(j.status == s for j in found) for s in RELEASE_0_1_JOBS} == RELEASE_0_1_JOBS
    assert {j.kind for j in found} == {"search"}
    by_status = {j.status: j for j in found}
    done = job_out(by_status["succeeded"])  # the routes' view of a migrated row
    assert (done.space, done.strategy, done.model) == ("nb201", "exhaustive", "nb201-b-default")
    assert done.progress.fraction == 1.0 and done.progress.evaluated == done.result.evaluated == 15625
    assert done.result.top[0].score == 2.5
    cancelled = job_out(by_status["cancelled"])
    assert (cancelled.progress.generation, cancelled.progress.best_score) == (10, 1.25)
    assert cancelled.request.params.population == 8 and cancelled.request.max_params == 3_000_000
    assert job_out(by_status["failed"]).error == "RuntimeError: boom"
    assert by_status["queued"].attempts == 0 and by_status["running"].attempts == 1


def test_downgrade_to_release_0_1_and_back_keeps_the_search_jobs(tmp_path: Path) -> None:
    path = tmp_path / "renas.db"
    shutil.copy(RELEASE_0_1_DB, path)
    url = sqlite_url(path)
    migrations.upgrade(url)
    before = {j.id: (j.status, j.progress, j.result, j.request) for j in jobs_in(url)}
    migrations.downgrade(url, "0001")
    assert "jobs" not in tables(url) and "search_jobs" in tables(url)
    migrations.upgrade(url)
    after = {j.id: (j.status, j.progress, j.result, j.request) for j in jobs_in(url)}
    assert after == before


def test_concurrent_start_ups_migrate_once(tmp_path: Path) -> None:
    """Four processes upgrade one fresh file at once: the lock makes one migrate, the rest wait."""
    url = sqlite_url(tmp_path / "shared.db")
    code = f"from service import migrations; migrations.upgrade({url!r})"
    workers = [subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(4)]
    errors = [w.communicate(timeout=120)[1].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], errors
    assert migrations.current(url) == migrations.head()
    assert migrations.schema_drift(url) == []


def test_renas_db_upgrade_and_current(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "cli.db")
    runner = CliRunner()
    behind = runner.invoke(db_cli, ["current", "--database-url", url])
    assert behind.exit_code == 0 and "renas-db upgrade" in behind.output
    upgraded = runner.invoke(db_cli, ["upgrade", "--database-url", url])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"revision {migrations.head()}" in upgraded.output
    now = runner.invoke(db_cli, ["current", "--database-url", url])
    assert now.output.strip() == f"{migrations.head()} (up to date)"


def test_postgresql_reaches_head_and_matches_the_models(postgres_url: str) -> None:
    migrations.upgrade(postgres_url)
    assert migrations.current(postgres_url) == migrations.head()
    assert migrations.schema_drift(postgres_url) == []
    migrations.downgrade(postgres_url, "0001")
    assert migrations.schema_drift(postgres_url) != []
    migrations.upgrade(postgres_url)
    assert migrations.current(postgres_url) == migrations.head()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "renas.db")
    return request.getfixturevalue("postgres_url")


def test_the_previous_revision_upgrades_keeping_its_queued_job(any_database: str) -> None:
    """0006 -> head and back: procrastinate's schema comes and goes on PostgreSQL only."""
    url = any_database
    queue_tables = {"procrastinate_jobs", "procrastinate_workers"} if url.startswith("postgresql") else set()
    migrations.upgrade(url, "0006")
    assert not {t for t in tables(url) if t.startswith("procrastinate_")}
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as db:
            job = jobs.create_job(db, kind="search", request=Quick(space="nb201"))
    finally:
        engine.dispose()
    migrations.upgrade(url)
    assert queue_tables | {"workers"} <= tables(url)
    assert [(j.id, j.status) for j in jobs_in(url)] == [(job.id, "queued")]
    migrations.downgrade(url, "0006")
    assert not {t for t in tables(url) if t.startswith("procrastinate_")} and "workers" not in tables(url)
    migrations.upgrade(url)  # what downgrade removed, the upgrade installs again
    assert migrations.schema_drift(url) == []
