"""The NB101 hash table at start-up: loaded when present, built in the background when missing."""

from pathlib import Path

import pytest
from cells import NB101_BRANCHES, NB101_BRANCHES_SWAPPED, NB101_CHAIN
from service_apps import ClientFactory

from service.inference import identity_table
from service.inference.identity_table import ServedSpaces
from service.spaces import get_space
from service.spaces.nb101 import hash_table
from service.spaces.nb101.space import NB101Space


@pytest.fixture
def spaces() -> ServedSpaces:
    return ServedSpaces()


@pytest.fixture(scope="module")
def small_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cache") / "nb101-module-hashes.npy"
    identity_table.build_file(path, max_vertices=5)
    return path


def test_a_present_table_is_served_at_once(spaces: ServedSpaces, small_table: Path) -> None:
    assert identity_table.start(spaces, small_table, build=True) is None
    nb101 = spaces["nb101"]
    assert isinstance(nb101, NB101Space) and nb101.hash_table is spaces.table is not None
    assert nb101.hash_table.max_vertices == 5
    assert get_space("nb101").hash_table is None  # the shared default space is never changed
    assert spaces["nb201"] is get_space("nb201")


def test_a_missing_table_is_built_in_the_background_then_served(spaces: ServedSpaces, tmp_path: Path) -> None:
    path = tmp_path / "cache" / "table.npy"
    before = spaces["nb101"]
    build = identity_table.start(spaces, path, build=True, max_vertices=4)
    assert build is not None
    assert before.hash_table is None  # the service answers meanwhile, hashing each cell
    assert identity_table.state(spaces, build) in ("building", "loaded")  # "loaded" if the build won
    assert build.attached.wait(timeout=120), "the background build did not finish"
    build.stop()
    assert path.is_file()
    assert identity_table.state(spaces, build) == "loaded"
    assert spaces["nb101"].hash_table is not None and spaces["nb101"].hash_table.max_vertices == 4
    assert before.hash_table is None  # a request holding the old space keeps it


def test_a_stale_table_is_rebuilt(spaces: ServedSpaces, tmp_path: Path) -> None:
    path = tmp_path / "table.npy"
    path.write_bytes(b"left over from an older release")
    build = identity_table.start(spaces, path, build=True, max_vertices=3)
    assert build is not None and build.attached.wait(timeout=120)
    build.stop()
    assert hash_table.HashTable.load(path).max_vertices == 3


def test_stopping_a_build_leaves_no_file_and_no_table(spaces: ServedSpaces, tmp_path: Path) -> None:
    path = tmp_path / "table.npy"
    build = identity_table.start(spaces, path, build=True)  # the whole table: far from done when stopped
    assert build is not None
    build.stop()
    assert not build.attached.is_set()
    assert identity_table.state(spaces, build) == "off"
    assert list(tmp_path.iterdir()) == []
    assert spaces.table is None


@pytest.mark.parametrize("build", [True, False])
def test_off_or_missing_without_building_means_hashing_each_cell(
    spaces: ServedSpaces, tmp_path: Path, build: bool
) -> None:
    assert identity_table.start(spaces, None, build=build) is None
    assert identity_table.start(spaces, tmp_path / "absent.npy", build=False) is None
    assert spaces.table is None and spaces["nb101"].hash_table is None


def test_a_worker_takes_the_table_once_its_file_exists(spaces: ServedSpaces, small_table: Path) -> None:
    identity_table.use_if_present(spaces, small_table.with_name("not-yet.npy"))
    assert spaces.table is None
    identity_table.use_if_present(spaces, small_table)
    first = spaces.table
    assert first is not None
    identity_table.use_if_present(spaces, small_table)  # loaded once per process
    assert spaces.table is first


def test_the_app_serves_the_same_hashes_with_the_table(app_factory: ClientFactory, small_table: Path) -> None:
    body = {"space": "nb101", "cells": [NB101_BRANCHES, NB101_CHAIN, NB101_BRANCHES_SWAPPED]}
    with app_factory() as client:
        without = client.post("/rank", json=body).json()["ranking"]
    with app_factory(nb101_hash_table=small_table) as client:
        assert client.get("/readyz").json()["nb101_hash_table"] == "loaded"
        with_table = client.post("/rank", json=body).json()["ranking"]
    assert with_table == without
    assert with_table[0]["hash"] == with_table[1]["hash"]  # the isomorphic pair, ranked together first
