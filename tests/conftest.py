"""Shared fixtures: where the benchmark tables are, and how their absence is handled.

Tests that read ../shared/data skip with a reason when it is missing, except where
RENAS_REQUIRE_DATA=1 (set by .ci/run): there a missing table is a failure, so CI never
passes by skipping them.

Tests run without the NB101 hash table unless they set one up (RENAS_NB101_HASH_TABLE blank): an app
or server they start must neither read the developer's cached table nor spend half a minute building it.
"""

import os
from pathlib import Path

import pytest

from service.core.config import get_settings

os.environ["RENAS_NB101_HASH_TABLE"] = ""


def _data_file(name: str) -> Path:
    path = get_settings().data_dir / name
    if not path.is_file():
        reason = f"benchmark table {path} is absent (set RENAS_DATA_DIR to the folder holding it)"
        if os.environ.get("RENAS_REQUIRE_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def nb101_path() -> Path:
    return _data_file("nb101_20k.jsonl.gz")


@pytest.fixture(scope="session")
def nb201_path() -> Path:
    return _data_file("nb201.csv")
