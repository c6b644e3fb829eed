"""A session over a fresh, migrated job database, for the tests of the job functions."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from service import migrations
from service.core.db import make_engine, make_sessionmaker


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()
