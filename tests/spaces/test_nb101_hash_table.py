"""The module-hash table: its numbering, its lookups against computed hashes, and bad table files."""

from pathlib import Path

import numpy as np
import pytest

from service.spaces.nb101 import hash_table
from service.spaces.nb101.canonical import canonical_classes, class_numbers
from service.spaces.nb101.cell import Cell
from service.spaces.nb101.enumeration import UNIQUE_CELLS_UP_TO, enumerate_cells
from service.spaces.nb101.graph import labels_of, module_hash
from service.spaces.nb101.hash_table import HashTable, HashTableError
from service.spaces.nb101.space import NB101_SPACE, NB101Space


@pytest.fixture(scope="module")
def table_5() -> np.ndarray:
    """The table of the 2,532 classes with up to 5 vertices (builds in well under a second)."""
    return hash_table.build(5)


def _relabelled(cell: Cell, rng: np.random.Generator) -> Cell:
    """The same network with its interior vertices renumbered (a topological order kept)."""
    n = cell.num_vertices
    for _ in range(100):
        order = np.array([0, *(rng.permutation(n - 2) + 1), n - 1])
        matrix = cell.matrix[np.ix_(order, order)]
        if not np.tril(matrix).any():
            return Cell(matrix, [cell.ops[i] for i in order])
    return cell


def test_class_numbers_invert_the_numbering() -> None:
    offset = 0
    for n in range(2, 7):
        bits, labels = canonical_classes(n)
        numbers = class_numbers(n, bits, labels)
        assert numbers.tolist() == list(range(offset, offset + len(bits)))
        offset += len(bits)
    assert offset == UNIQUE_CELLS_UP_TO[6]


def test_rows_are_the_reference_hashes_of_the_classes(table_5: np.ndarray) -> None:
    cells = list(enumerate_cells(5))
    assert len(table_5) == len(cells) == UNIQUE_CELLS_UP_TO[5]
    assert [bytes(row).hex() for row in table_5] == [module_hash(c.matrix, labels_of(c.codes)) for c in cells]


def test_lookups_equal_computed_hashes_for_any_numbering(table_5: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    sampled = NB101_SPACE.sample(rng, 300)  # mostly 6 and 7 vertices: hashed, not looked up
    small = list(enumerate_cells(5))[::7]
    cells = [_relabelled(c, rng) for c in sampled + small]
    assert HashTable(table_5).identities(cells) == [c.module_hash for c in cells]


def test_a_space_built_with_a_table_looks_identities_up(table_5: np.ndarray) -> None:
    cells = list(enumerate_cells(4))
    marked = np.full_like(table_5, 0xAB)  # not real hashes (only ``load`` checks rows): shows a lookup
    assert NB101Space(hash_table=HashTable(marked)).identities(cells) == ["ab" * 16] * len(cells)
    assert NB101_SPACE.identities(cells) == [c.module_hash for c in cells]


def test_save_and_load_round_trip(tmp_path: Path, table_5: np.ndarray) -> None:
    path = tmp_path / "sub" / "table.npy"
    hash_table.save(table_5, path)
    loaded = HashTable.load(path)
    assert loaded.max_vertices == 5
    assert np.array_equal(loaded.digests, table_5)
    assert [p.name for p in path.parent.iterdir()] == ["table.npy"]  # no partial file left


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda t: np.zeros_like(t), "is not that class's module hash"),
        (lambda t: t[:-1], "is not the class count"),
        (lambda t: t[:, :8], "expected (classes, 16) uint8"),
    ],
)
def test_a_damaged_or_stale_table_is_refused(
    tmp_path: Path, table_5: np.ndarray, damage, message: str
) -> None:
    path = tmp_path / "table.npy"
    np.save(path, np.ascontiguousarray(damage(table_5)))
    with pytest.raises(HashTableError, match=message.replace("(", r"\(").replace(")", r"\)")):
        HashTable.load(path)


def test_a_missing_or_unreadable_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HashTableError, match="cannot read"):
        HashTable.load(tmp_path / "absent.npy")
    (tmp_path / "text.npy").write_text("not a table")
    with pytest.raises(HashTableError, match="cannot read"):
        HashTable.load(tmp_path / "text.npy")
