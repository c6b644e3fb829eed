"""The benchmark's own index of every cell (0 .. 15,624), read from nb201.csv.

NAS-Bench-201 numbers its cells in an order that is not derivable from the cells, so the mapping
is read from the table (``trainer.tables.load_nb201``) on first use and cached per path.
The default path is the data folder of the settings (``RENAS_DATA_DIR``).
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from service.spaces.nb201.arch import Arch
from trainer.tables import NB201_FILE, data_path, load_nb201


@dataclass(frozen=True)
class BenchmarkIndex:
    """Both directions of the benchmark's index: ``archs[i]`` is cell i; ``positions[arch]`` is i."""

    archs: tuple[Arch, ...]
    positions: dict[Arch, int]


@lru_cache(maxsize=4)
def _load(path: Path) -> BenchmarkIndex:
    records = load_nb201(path)
    if [r.index for r in records] != list(range(len(records))):
        raise ValueError(f"{path}: benchmark indices are not 0..{len(records) - 1} without gaps")
    archs = tuple(Arch.from_string(r.arch_str) for r in records)
    positions = {arch: i for i, arch in enumerate(archs)}
    if len(positions) != len(archs):
        raise ValueError(f"{path}: some arch strings occur more than once")
    return BenchmarkIndex(archs=archs, positions=positions)


def benchmark_index(path: Path | None = None) -> BenchmarkIndex:
    """The index read from ``path`` (default: nb201.csv in the data folder), loaded once per path."""
    return _load(Path(path or data_path(NB201_FILE)).resolve())


def arch_at(index: int, path: Path | None = None) -> Arch:
    """The cell at the benchmark's ``index``; IndexError outside 0 .. 15,624."""
    archs = benchmark_index(path).archs
    if not 0 <= index < len(archs):
        raise IndexError(f"benchmark index {index} outside 0..{len(archs) - 1}")
    return archs[index]


def index_of(arch: Arch, path: Path | None = None) -> int:
    """The benchmark's index of ``arch``."""
    return benchmark_index(path).positions[arch]
