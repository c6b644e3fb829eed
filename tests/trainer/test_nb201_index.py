"""The benchmark's index <-> arch mapping, on a tiny hand-written table and on the full nb201.csv."""

from pathlib import Path

import pytest

from service.spaces.nb201.arch import Arch
from service.spaces.nb201.sampling import enumerate_archs
from trainer.nb201_index import arch_at, benchmark_index, index_of
from trainer.tables import load_nb201

FIRST = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
SECOND = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


def write_table(path: Path, rows: list[tuple[int, str]]) -> Path:
    path.write_text("index,arch_str,cifar10_valid\n" + "".join(f"{i},{s},50.0\n" for i, s in rows))
    return path


def test_tiny_table_is_read_in_index_order(tmp_path: Path) -> None:
    table = write_table(tmp_path / "nb201.csv", [(1, SECOND), (0, FIRST)])
    assert arch_at(0, table) == Arch.from_string(FIRST)
    assert index_of(Arch.from_string(SECOND), table) == 1
    with pytest.raises(IndexError, match=r"benchmark index 2 outside 0\.\.1"):
        arch_at(2, table)


def test_gaps_in_the_index_are_rejected(tmp_path: Path) -> None:
    table = write_table(tmp_path / "nb201.csv", [(0, FIRST), (2, SECOND)])
    with pytest.raises(ValueError, match=r"not 0\.\.1 without gaps"):
        benchmark_index(table)


def test_full_table_round_trip(nb201_path: Path) -> None:
    records = load_nb201(nb201_path)
    index = benchmark_index(nb201_path)
    assert len(index.archs) == 15_625
    assert set(index.archs) == set(enumerate_archs())
    for record in records:
        arch = arch_at(record.index, nb201_path)
        assert arch.to_string() == record.arch_str
        assert index_of(arch, nb201_path) == record.index
