"""Readers for the benchmark tables in the data folder (see ../shared/data/README.md).

Used by the trainer, the evaluation commands, benchmarks and tests; the service never reads them.
Records keep the tables' own field names so a reader can check them against the README.
"""

import csv
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from trainer.settings import data_dir as default_data_dir

NB101_FILE = "nb101_20k.jsonl.gz"
NB201_FILE = "nb201.csv"


@dataclass(frozen=True)
class NB101Record:
    hash: str
    matrix: list[list[int]]
    ops: list[str]
    params: int
    val_accuracy: dict[int, float]  # training budget in epochs (4, 12, 36, 108) -> accuracy in 0..1
    train_seconds_108: float


@dataclass(frozen=True)
class NB201Record:
    index: int
    arch_str: str
    metrics: dict[str, float]  # every accuracy column of the csv (in %), by its column name


def data_path(name: str, data_dir: Path | None = None) -> Path:
    return (data_dir or default_data_dir()) / name


def load_nb101(path: Path | None = None) -> list[NB101Record]:
    """All rows of nb101_20k.jsonl.gz, in file order."""
    with gzip.open(path or data_path(NB101_FILE), "rt") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [
        NB101Record(
            hash=r["hash"],
            matrix=r["matrix"],
            ops=r["ops"],
            params=int(r["params"]),
            val_accuracy={int(k): float(v) for k, v in r["val_accuracy"].items()},
            train_seconds_108=float(r["train_seconds_108"]),
        )
        for r in rows
    ]


def load_nb201(path: Path | None = None) -> list[NB201Record]:
    """All 15,625 rows of nb201.csv, in benchmark index order."""
    with open(path or data_path(NB201_FILE), newline="") as f:
        rows = list(csv.DictReader(f))
    records = [
        NB201Record(
            index=int(r.pop("index")),
            arch_str=r.pop("arch_str"),
            metrics={k: float(v) for k, v in r.items()},
        )
        for r in rows
    ]
    return sorted(records, key=lambda rec: rec.index)
