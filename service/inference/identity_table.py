"""The NAS-Bench-101 hash table (``service.spaces.nb101.hash_table``) in the service's processes.

At start-up the table file is loaded when it is there and sound. When it is missing (the first start
on a fresh machine) or stale, it is built in a background process: the service answers at once,
hashing cells itself meanwhile (about 50 µs a cell), and switches to lookups once the file is
written. Search workers only load a file that exists.
"""

import logging
import multiprocessing
import os
import threading
import time
from pathlib import Path
from typing import Literal

from service.spaces.nb101 import hash_table
from service.spaces.nb101.cell import MAX_VERTICES
from service.spaces.nb101.space import NB101_SPACE

log = logging.getLogger(__name__)
TableState = Literal["loaded", "building", "off"]


def attach(path: Path) -> bool:
    """Load the table in ``path`` into this process's NB101 space; False (logged) if it cannot."""
    try:
        NB101_SPACE.hash_table = hash_table.HashTable.load(path)
    except hash_table.HashTableError as exc:
        log.warning("nb101 hash table not used: %s", exc)
        return False
    log.info("nb101 hash table loaded: %s classes from %s", f"{len(NB101_SPACE.hash_table.digests):,}", path)
    return True


def attach_if_present(path: Path | None) -> None:
    """``attach`` once per process, when a table file exists and none is attached yet."""
    if path is not None and NB101_SPACE.hash_table is None and path.is_file():
        attach(path)


def build_file(path: Path, max_vertices: int = MAX_VERTICES) -> None:
    """Build the table and write it to ``path`` (what the background process runs); a folder that
    cannot be written fails before the half minute of hashing, not after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(path.parent, os.W_OK):
        raise PermissionError(f"cannot write the nb101 hash table into {path.parent}")
    hash_table.save(hash_table.build(max_vertices), path)


class BackgroundBuild:
    """A table being built by a spawned process; attached to this process when the file is written."""

    def __init__(self, path: Path, max_vertices: int) -> None:
        self.path = path
        self.process = multiprocessing.get_context("spawn").Process(
            target=build_file, args=(path, max_vertices), name="nb101-hash-table", daemon=True
        )
        self.attached = threading.Event()
        self.started = time.monotonic()
        self.process.start()
        self._watcher = threading.Thread(target=self._attach_when_done, name="nb101-hash-table", daemon=True)
        self._watcher.start()

    def _attach_when_done(self) -> None:
        self.process.join()
        if self.process.exitcode != 0:
            log.error("building the nb101 hash table failed (exit code %s)", self.process.exitcode)
            return
        log.info("nb101 hash table built in %.1f s", time.monotonic() - self.started)
        if attach(self.path):
            self.attached.set()

    def stop(self) -> None:
        """Stop an unfinished build (its partial file never replaces a table)."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self._watcher.join()


def start(path: Path | None, *, build: bool, max_vertices: int = MAX_VERTICES) -> BackgroundBuild | None:
    """Attach the table at ``path``, or start building it there when ``build``; None if nothing runs."""
    if path is None:
        log.info("nb101 hash table off: cells are hashed one by one")
        return None
    if path.is_file() and attach(path):
        return None
    if not build:
        log.info("no nb101 hash table at %s and building is off: cells are hashed one by one", path)
        return None
    log.info("building the nb101 hash table in the background (about 30 s of one core) into %s", path)
    return BackgroundBuild(path, max_vertices)


def state(build: BackgroundBuild | None) -> TableState:
    """What /readyz reports: the table is in use, being built, or not used (off, missing or failed)."""
    if NB101_SPACE.hash_table is not None:
        return "loaded"
    if build is not None and build.process.is_alive():
        return "building"
    return "off"
