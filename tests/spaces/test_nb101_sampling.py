"""Sampling, mutation, crossover and enumeration."""

import gzip
import itertools
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chisquare
from typer.testing import CliRunner

from service.spaces.base import InvalidCellError
from service.spaces.cli import app
from service.spaces.nb101.canonical import (
    VERTEX_COUNTS,
    build_cells,
    canonical_cells,
    canonical_classes,
    canonical_forms,
    classes_with_vertices,
)
from service.spaces.nb101.cell import INTERIOR_OPS, Cell
from service.spaces.nb101.enumeration import UNIQUE_CELLS_UP_TO, enumerate_cells
from service.spaces.nb101.graph import labels_of, module_hash
from service.spaces.nb101.space import NB101_SPACE as SPACE

C3, C1, MP = "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"


def _hash(cell: Cell) -> str:
    return module_hash(cell.matrix, labels_of(cell.codes))


def test_sample_is_seeded() -> None:
    first = SPACE.sample(np.random.default_rng(7), 50)
    assert len(first) == 50 and all(isinstance(c, Cell) for c in first)
    assert SPACE.sample(np.random.default_rng(7), 50) == first
    assert SPACE.sample(np.random.default_rng(8), 50) != first


def _class_counts() -> dict[int, int]:
    """Classes with exactly n vertices, from the enumeration's cumulative counts."""
    return {n: UNIQUE_CELLS_UP_TO[n] - UNIQUE_CELLS_UP_TO.get(n - 1, 0) for n in VERTEX_COUNTS}


def test_class_numbering_has_one_entry_per_class() -> None:
    # Each entry is a fixed point of canonical_forms and entries are distinct, so with the right
    # count the numbering is a bijection onto the classes.
    assert classes_with_vertices() == _class_counts()
    assert sum(classes_with_vertices().values()) == 423_624  # the benchmark's own total
    for n in VERTEX_COUNTS:
        bits, labels = canonical_classes(n)
        for start in range(0, len(bits), 30_000):
            chunk = slice(start, start + 30_000)
            canon_bits, canon_labels = canonical_forms(n, bits[chunk], labels[chunk])
            assert (canon_bits == bits[chunk]).all() and (canon_labels == labels[chunk]).all()
        keys = bits * 3 ** (n - 2) + labels @ 3 ** np.arange(n - 2)
        assert len(np.unique(keys)) == len(keys)


def _brute_force_hashes(n: int) -> set[str]:
    """Hash of every valid n-vertex (matrix, ops) with no vertex to prune, as the benchmark did."""
    upper = [(x, y) for y in range(n) for x in range(y)]
    hashes = set()
    for bits in range(1 << len(upper)):
        for ops in itertools.product(INTERIOR_OPS, repeat=n - 2):
            try:
                cell = Cell.from_bits(n, bits, [0, *(INTERIOR_OPS.index(op) + 1 for op in ops), 4])
            except InvalidCellError:
                continue
            if cell.num_vertices == n:
                hashes.add(_hash(cell))
    return hashes


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_class_numbering_matches_brute_force_hashing(n: int) -> None:
    hashes = [_hash(cell) for cell in build_cells(n, *canonical_classes(n))]
    assert len(set(hashes)) == len(hashes)
    assert set(hashes) == _brute_force_hashes(n)


def test_sampled_cells_are_valid_canonical_members() -> None:
    for cell in SPACE.sample(np.random.default_rng(3), 500):
        n = cell.num_vertices
        assert cell.original_matrix.shape == (n, n) and cell.num_edges <= 9  # nothing was pruned
        labels = np.array([cell.codes[1:-1]], dtype=np.int64).reshape(1, n - 2) - 1
        canon_bits, canon_labels = canonical_forms(n, np.array([cell.bits]), labels)
        assert canon_bits[0] == cell.bits and (canon_labels == labels).all()
        assert SPACE.parse(SPACE.to_json(cell)) == cell


def test_draws_are_as_distinct_as_uniform_draws() -> None:
    # 2,000 uniform draws from 423,624 classes: about 2000**2 / (2 * 423,624) = 4.7 repeats
    # (Poisson); the benchmark's own sampler gave 861 distinct hashes here.
    hashes = {c.module_hash for c in SPACE.sample(np.random.default_rng(0), 2_000)}
    assert len(hashes) >= 1_985


def test_vertex_counts_follow_the_class_counts() -> None:
    counts = _class_counts()
    sizes = Counter(c.num_vertices for c in SPACE.sample(np.random.default_rng(0), 20_000))
    small = [2, 3, 4, 5]  # 2,532 classes in all: pooled so every expected count is large
    observed = [sum(sizes[n] for n in small), sizes[6], sizes[7]]
    expected = np.array([sum(counts[n] for n in small), counts[6], counts[7]]) * 20_000 / 423_624
    assert chisquare(observed, expected).pvalue > 1e-3


def test_mutating_the_two_vertex_cell_adds_a_vertex() -> None:
    cell = Cell([[0, 1], [0, 0]], ["input", "output"])
    child = SPACE.mutate(cell, np.random.default_rng(0))
    assert child.num_vertices == 3
    assert child.matrix.tolist() == [[0, 1, 1], [0, 0, 1], [0, 0, 0]]


def test_mutation_always_changes_the_class() -> None:
    rng = np.random.default_rng(5)
    for cell in SPACE.sample(rng, 200):
        assert SPACE.mutate(cell, rng).module_hash != cell.module_hash


def test_mutation_of_a_chain_is_one_edit_away() -> None:
    chain = Cell([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", C3, "output"])
    children = {SPACE.mutate(chain, np.random.default_rng(seed)) for seed in range(40)}
    # one edit: another op on the vertex, or the input->output edge added (others prune away)
    assert children == {
        Cell([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", C1, "output"]),
        Cell([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", MP, "output"]),
        Cell([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", C3, "output"]),
    }


def test_crossover_of_two_chains_mixes_their_ops() -> None:
    a = Cell([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", C3, "output"])
    b = Cell([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", MP, "output"])
    children = {SPACE.crossover(a, b, np.random.default_rng(seed)) for seed in range(20)}
    assert children == {a, b}


def test_enumeration_is_the_numbering_in_the_benchmarks_order() -> None:
    # (vertex count, edge integer, op codes) strictly ascending: each class once, in the order
    # generate_graphs.py met them (codes compare first interior vertex first).
    cells = list(enumerate_cells(max_vertices=6))
    assert len(cells) == UNIQUE_CELLS_UP_TO[6]
    keys = [(c.num_vertices, c.bits, c.codes) for c in cells]
    assert all(a < b for a, b in itertools.pairwise(keys))
    some = np.arange(0, len(cells), 97)
    assert canonical_cells(some) == [cells[i] for i in some.tolist()]


def test_cli_writes_hash_matrix_ops(tmp_path: Path) -> None:
    out = tmp_path / "cells.jsonl.gz"
    result = CliRunner().invoke(app, ["nb101", "--out", str(out), "--max-vertices", "4"])
    assert result.exit_code == 0, result.output
    with gzip.open(out, "rt") as lines:
        rows = [json.loads(line) for line in lines]
    assert len(rows) == 91
    assert rows[0] == {
        "hash": "043721b9c7fe8c5fad811d47d83132ec",
        "matrix": [[0, 1], [0, 0]],
        "ops": ["input", "output"],
    }
    assert all(SPACE.identity(SPACE.parse(r)) == r["hash"] for r in rows)
