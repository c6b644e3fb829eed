"""The NB101 hash table at start-up: loaded when present, built in the background when missing."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from cells import NB101_BRANCHES, NB101_BRANCHES_SWAPPED, NB101_CHAIN
from service_apps import ClientFactory

from service.inference import identity_table
from service.spaces.nb101 import hash_table
from service.spaces.nb101.space import NB101_SPACE


@pytest.fixture(autouse=True)
def no_table_before_or_after() -> Iterator[None]:
    """The table is per process: every test starts and ends without one."""
    NB101_SPACE.hash_table = None
    yield
    NB101_SPACE.hash_table = None


@pytest.fixture(scope="module")
def small_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cache") / "nb101-module-hashes.npy"
    identity_table.build_file(path, max_vertices=5)
    return path


def test_a_present_table_is_attached_at_once(small_table: Path) -> None:
    assert identity_table.start(small_table, build=True) is None
    assert NB101_SPACE.hash_table is not None
    assert NB101_SPACE.hash_table.max_vertices == 5


def test_a_missing_table_is_built_in_the_background_then_attached(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "table.npy"
    build = identity_table.start(path, build=True, max_vertices=4)
    assert build is not None
    assert NB101_SPACE.hash_table is None  # the service answers meanwhile, hashing each cell
    assert identity_table.state(build) in ("building", "loaded")  # "loaded" if the build already won
    assert build.attached.wait(timeout=120), "the background build did not finish"
    build.stop()
    assert path.is_file()
    assert NB101_SPACE.hash_table is not None and NB101_SPACE.hash_table.max_vertices == 4


def test_a_stale_table_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "table.npy"
    path.write_bytes(b"left over from an older release")
    build = identity_table.start(path, build=True, max_vertices=3)
    assert build is not None and build.attached.wait(timeout=120)
    build.stop()
    assert hash_table.HashTable.load(path).max_vertices == 3


def test_stopping_a_build_leaves_no_file_and_no_table(tmp_path: Path) -> None:
    path = tmp_path / "table.npy"
    build = identity_table.start(path, build=True)  # the whole table: far from done when stopped
    assert build is not None
    build.stop()
    assert not build.attached.is_set()
    assert identity_table.state(build) == "off"
    assert list(tmp_path.iterdir()) == []
    assert NB101_SPACE.hash_table is None


@pytest.mark.parametrize("build", [True, False])
def test_off_or_missing_without_building_means_hashing_each_cell(tmp_path: Path, build: bool) -> None:
    assert identity_table.start(None, build=build) is None
    assert identity_table.start(tmp_path / "absent.npy", build=False) is None
    assert NB101_SPACE.hash_table is None


def test_the_app_serves_the_same_hashes_with_the_table(app_factory: ClientFactory, small_table: Path) -> None:
    body = {"space": "nb101", "cells": [NB101_BRANCHES, NB101_CHAIN, NB101_BRANCHES_SWAPPED]}
    with app_factory() as client:
        assert NB101_SPACE.hash_table is None
        without = client.post("/rank", json=body).json()["ranking"]
    with app_factory(nb101_hash_table=small_table) as client:
        assert client.get("/readyz").json()["nb101_hash_table"] == "loaded"
        with_table = client.post("/rank", json=body).json()["ranking"]
    assert with_table == without
    assert with_table[0]["hash"] == with_table[1]["hash"]  # the isomorphic pair, ranked together first
