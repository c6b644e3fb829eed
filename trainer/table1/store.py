"""The resumable results folder of a Table-1 run: ``<space>.jsonl`` (``<space>-<dataset>.jsonl`` for
labels other than CIFAR-10's) holds one JSON line per finished entry and ``preds/<entry>.npy`` its
scores of every cell; a restart skips the entries already there,
so a run that takes hours can be stopped and resumed at any time."""

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from trainer.table1.experiment import Measurement
from trainer.table1.plan import DEFAULT_DATASET, Entry

log = logging.getLogger(__name__)


class ResultsFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def jsonl(self, space: str, dataset: str = DEFAULT_DATASET) -> Path:
        return self.root / (f"{space}.jsonl" if dataset == DEFAULT_DATASET else f"{space}-{dataset}.jsonl")

    def scores_path(self, entry: Entry) -> Path:
        return self.root / "preds" / f"{entry.stem}.npy"

    def finished_keys(self, space: str, dataset: str = DEFAULT_DATASET) -> set[str]:
        return finished_keys(self.jsonl(space, dataset))

    def records(self, space: str, dataset: str = DEFAULT_DATASET) -> list[dict[str, Any]]:
        return [r for r in read_results(self.jsonl(space, dataset)) if r["space"] == space]

    def add(self, record: Measurement, scores: np.ndarray) -> None:
        """Store one finished entry: its scores first, then its line (a kill between them only
        leaves scores that a rerun overwrites)."""
        entry = Entry(record.space, record.method, record.size, record.seed, record.epochs, record.dataset)
        path = self.scores_path(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, scores.astype(np.float32))
        with self.jsonl(record.space, record.dataset).open("a") as f:
            f.write(json.dumps(asdict(record)) + "\n")

    def scores(self, entry: Entry) -> np.ndarray:
        return np.load(self.scores_path(entry))


def finished_keys(jsonl: Path) -> set[str]:
    """Keys of the entries already in a results file (a torn last line from a kill is ignored)."""
    keys = set()
    for line in jsonl.read_text().splitlines() if jsonl.is_file() else []:
        try:
            keys.add(json.loads(line)["key"])
        except (json.JSONDecodeError, KeyError):
            log.warning("ignoring an unreadable line in %s", jsonl)
    return keys


def read_results(jsonl: Path) -> list[dict[str, Any]]:
    """Every complete record of a results file."""
    records = []
    for line in jsonl.read_text().splitlines() if jsonl.is_file() else []:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
