"""Every cell of ../shared/data/nb101_20k.jsonl.gz: the benchmark's hash and parameter count."""

from pathlib import Path

import numpy as np
import pytest

from service.spaces.nb101 import hash_table
from service.spaces.nb101.canonical import canonical_padded
from service.spaces.nb101.cell import Cell
from service.spaces.nb101.hash_table import HashTable
from service.spaces.nb101.space import NB101_SPACE
from trainer.tables import NB101Record, load_nb101

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def table(nb101_path: Path) -> tuple[list[NB101Record], list[Cell]]:
    records = load_nb101(nb101_path)
    return records, [NB101_SPACE.parse({"matrix": r.matrix, "ops": r.ops}) for r in records]


def test_table_cells_are_valid_and_unpruned(table: tuple[list[NB101Record], list[Cell]]) -> None:
    records, cells = table
    assert len(cells) == 20_001
    assert all(c.matrix.tolist() == r.matrix for r, c in zip(records, cells, strict=True))


def test_identity_is_the_benchmark_hash(table: tuple[list[NB101Record], list[Cell]]) -> None:
    records, cells = table
    wrong = [r.hash for r, c in zip(records, cells, strict=True) if NB101_SPACE.identity(c) != r.hash]
    assert wrong == []


def test_hash_table_lookups_are_the_benchmark_hashes(
    table: tuple[list[NB101Record], list[Cell]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The whole table, built and loaded as the service does (about half a minute)."""
    records, cells = table
    path = tmp_path_factory.mktemp("cache") / "nb101-module-hashes.npy"
    hash_table.save(hash_table.build(), path)
    identities = HashTable.load(path).identities(cells)
    assert [r.hash for r, h in zip(records, identities, strict=True) if h != r.hash] == []


def test_params_are_the_benchmarks(table: tuple[list[NB101Record], list[Cell]]) -> None:
    records, cells = table
    params, flops = NB101_SPACE.cost(cells)
    official = np.array([r.params for r in records])
    assert np.flatnonzero(params != official).tolist() == []
    assert (flops > 0).all()


def test_table_stores_canonical_members(table: tuple[list[NB101Record], list[Cell]]) -> None:
    """Why the cost of the canonical member is the official one: it is the member the benchmark stored."""
    _, cells = table
    matrices, codes = canonical_padded(cells)
    own = [(c.matrix.tolist(), c.codes) for c in cells]
    canonical = [
        (m[np.ix_(keep, keep)].tolist(), tuple(k[keep].tolist()))
        for m, k, c in zip(matrices, codes, cells, strict=True)
        for keep in [[*range(c.num_vertices - 1), 6]]
    ]
    assert own == canonical
