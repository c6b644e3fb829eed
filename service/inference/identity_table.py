"""The spaces a service process serves, and the NAS-Bench-101 hash table that NB101's identities use.

``ServedSpaces`` is what the app (``app.state.spaces``) and each worker process hold: the spaces by
name, NB101's constructed with the hash table once this process has one. At start-up the table file
is loaded when it is there and sound. When it is missing (the first start on a fresh machine) or
stale, it is built in a background process: the service answers at once, hashing cells itself
meanwhile (about 50 µs a cell), and serves a table-backed NB101 space once the file is written.
Workers load a file that exists before each job.
"""

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from service.spaces import SPACES, Space, get_space
from service.spaces.nb101 import hash_table
from service.spaces.nb101.cell import MAX_VERTICES
from service.spaces.nb101.hash_table import HashTable
from service.spaces.nb101.space import NB101Space

log = logging.getLogger(__name__)
TableState = Literal["loaded", "building", "off"]


class ServedSpaces:
    """Spaces by name for one process; ``use`` swaps in an NB101 space that looks identities up."""

    def __init__(self) -> None:
        self._spaces: dict[str, Space] = {name: get_space(name) for name in SPACES}
        self.table: HashTable | None = None

    def __getitem__(self, name: str) -> Space:
        return self._spaces[name]

    def use(self, table: HashTable) -> None:
        """Serve NB101 with ``table`` from now on (one dict swap: requests in flight keep their space)."""
        self._spaces = {**self._spaces, "nb101": NB101Space(hash_table=table)}
        self.table = table


def load(path: Path) -> HashTable | None:
    """The table in ``path``; None (logged) if it cannot be used."""
    try:
        table = HashTable.load(path)
    except hash_table.HashTableError as exc:
        log.warning("nb101 hash table not used: %s", exc)
        return None
    log.info("nb101 hash table loaded: %s classes from %s", f"{len(table.digests):,}", path)
    return table


def use_if_present(spaces: ServedSpaces, path: Path | None) -> None:
    """Load the table into ``spaces`` when a file exists and none is in use yet (workers, per job)."""
    if path is not None and spaces.table is None and path.is_file() and (table := load(path)) is not None:
        spaces.use(table)


def build_file(path: Path, max_vertices: int = MAX_VERTICES) -> None:
    """Build the table and write it to ``path`` (what the background process runs); a folder that
    cannot be written fails before the half minute of hashing, not after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(path.parent, os.W_OK):
        raise PermissionError(f"cannot write the nb101 hash table into {path.parent}")
    hash_table.save(hash_table.build(max_vertices), path)


class BackgroundBuild:
    """A table being built by a spawned process; handed to ``on_built`` when the file is written."""

    def __init__(self, path: Path, max_vertices: int, on_built: Callable[[HashTable], None]) -> None:
        self.path = path
        self.on_built = on_built
        self.process = multiprocessing.get_context("spawn").Process(
            target=build_file, args=(path, max_vertices), name="nb101-hash-table", daemon=True
        )
        self.attached = threading.Event()
        self.started = time.monotonic()
        self.process.start()
        self._watcher = threading.Thread(target=self._load_when_done, name="nb101-hash-table", daemon=True)
        self._watcher.start()

    def _load_when_done(self) -> None:
        self.process.join()
        if self.process.exitcode != 0:
            log.error("building the nb101 hash table failed (exit code %s)", self.process.exitcode)
            return
        log.info("nb101 hash table built in %.1f s", time.monotonic() - self.started)
        if (table := load(self.path)) is not None:
            self.on_built(table)
            self.attached.set()

    def stop(self) -> None:
        """Stop an unfinished build (its partial file never replaces a table)."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self._watcher.join()


def start(
    spaces: ServedSpaces, path: Path | None, *, build: bool, max_vertices: int = MAX_VERTICES
) -> BackgroundBuild | None:
    """Serve the table at ``path`` in ``spaces``, or start building it there when ``build``; None if
    nothing runs in the background."""
    if path is None:
        log.info("nb101 hash table off: cells are hashed one by one")
        return None
    if path.is_file() and (table := load(path)) is not None:
        spaces.use(table)
        return None
    if not build:
        log.info("no nb101 hash table at %s and building is off: cells are hashed one by one", path)
        return None
    log.info("building the nb101 hash table in the background (about 30 s of one core) into %s", path)
    return BackgroundBuild(path, max_vertices, on_built=spaces.use)


def state(spaces: ServedSpaces, build: BackgroundBuild | None) -> TableState:
    """What /readyz reports: the table is in use, being built, or not used (off, missing or failed)."""
    if spaces.table is not None:
        return "loaded"
    if build is not None and build.process.is_alive():
        return "building"
    return "off"
