"""The database schema's history (Alembic) and the functions that bring a database to it.

``upgrade(url)`` runs at every start-up, one process at a time: on SQLite the migration holds the
database's write lock from its first statement (``BEGIN IMMEDIATE``), on PostgreSQL a transaction-level
advisory lock; either way a second process waits, then finds nothing left to do. A database written by
release 0.1.0 (before migrations: a ``search_jobs`` table and no ``alembic_version``) is stamped at
revision 0001 first, so it upgrades in place without losing a job.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, inspect, text

from service.core.db import make_engine
from service.core.orm import Base
from service.inference import stored as _model_tables  # noqa: F401
from service.jobs import models as _job_tables  # noqa: F401  (the tables, registered on Base)
from service.studies import models as _study_tables  # noqa: F401

HERE = Path(__file__).resolve().parent
RELEASE_0_1_REVISION = "0001"
_PG_LOCK_KEY = 0x52454E4153  # any constant shared by every process of this service ("RENAS")
SQLITE_LOCK_WAIT_MS = 120_000  # how long a second starting process waits for the first's migration


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest), creating it where it is empty.

    A database already at the newest revision is only read (a service can start on a database that
    refuses writes, and say so in /readyz)."""
    if revision == "head" and current(database_url) == head():
        return
    with _locked_connection(database_url) as connection:
        _stamp_release_0_1(connection)
        command.upgrade(alembic_config(connection), revision)


def downgrade(database_url: str, revision: str) -> None:
    with _locked_connection(database_url) as connection:
        command.downgrade(alembic_config(connection), revision)


def current(database_url: str) -> str | None:
    """The database's revision; None for an empty (or pre-migration) database."""
    with _reading(database_url) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ours(name: str | None, type_: str, _parent: object) -> bool:
    """Whether autogenerate compares this object: procrastinate's tables (revision 0007) are the queue
    library's, not models of this service."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


def schema_drift(database_url: str) -> list[Any]:
    """What autogenerate would change to match the models: empty when migrations and models agree."""
    with _reading(database_url) as connection:
        context = MigrationContext.configure(connection, opts={"include_name": ours})
        return compare_metadata(context, Base.metadata)


@contextmanager
def _reading(database_url: str) -> Iterator[Connection]:
    """A plain connection on an engine of its own, disposed afterwards."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@contextmanager
def _locked_connection(database_url: str) -> Iterator[Connection]:
    """A connection inside one transaction that holds the migration lock, committed at the end."""
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        _begin_immediately(engine)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            yield connection
    finally:
        engine.dispose()


def _begin_immediately(engine: Engine) -> None:
    """SQLite: let SQLAlchemy issue BEGIN IMMEDIATE itself (pysqlite's own transaction handling
    would run DDL outside any transaction), so the whole migration is one locked transaction."""

    @event.listens_for(engine, "connect")
    def _own_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_LOCK_WAIT_MS}")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _stamp_release_0_1(connection: Connection) -> None:
    tables = set(inspect(connection).get_table_names())
    if "search_jobs" in tables and "alembic_version" not in tables:
        command.stamp(alembic_config(connection), RELEASE_0_1_REVISION)
