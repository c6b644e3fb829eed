"""The graph networks' parts on hand-made cells: path sums over a known DAG, and every graph family
exported to ONNX computes what was trained."""

from pathlib import Path

import numpy as np
import pytest
import torch

from trainer.export import export_onnx
from trainer.model import _PathPool
from trainer.train import train_predictor

# 0 -> 1 -> 2 -> 4, 0 -> 3 -> 4 and 0 -> 4: paths of 4, 3 and 2 vertices; then 4 -> 6 and 5 -> 6,
# where nothing enters vertex 5: the input does not reach it.
EDGES = [(0, 1), (1, 2), (2, 4), (0, 3), (3, 4), (0, 4), (4, 6), (5, 6)]


def adjacency(vertices: int) -> torch.Tensor:
    a = torch.zeros(1, vertices, vertices)
    for i, j in EDGES:
        if j < vertices:
            a[0, i, j] = 1.0
    return a


def path_sums(weights: list[float]) -> tuple[float, float]:
    """(longest, shortest) of a one-channel pool whose weight at vertex v is ``weights[v]``, on the
    first ``len(weights)`` vertices of EDGES (the states are one-hot vertices)."""
    pool = _PathPool(len(weights), channels=1)
    with torch.no_grad():
        pool.weights.weight.copy_(torch.tensor([weights]))
        pool.weights.bias.zero_()
    longest, shortest = pool(torch.eye(len(weights))[None], adjacency(len(weights)))[0]
    return longest.item(), shortest.item()


def test_path_pool_sums_the_heaviest_and_lightest_input_to_output_paths() -> None:
    assert path_sums([1, 1, 1, 1, 1]) == (4.0, 2.0)  # counting the vertices on the way to 4
    assert path_sums([0, 5, 0, -2, 0]) == (5.0, -2.0)
    # Vertex 5 feeds the output but the input never reaches it, so its weight is on no path.
    assert path_sums([0, 5, 0, -2, 0, 100, 1]) == (6.0, -1.0)
    # With vertex 5 as the output, nothing from the input arrives: both sums are 0, never far off.
    assert path_sums([1, 1, 1, 1, 1, 1]) == (0.0, 0.0)


@pytest.mark.parametrize("variant", ["gnn-pair", "attn-pair", "path-pair"])
def test_every_graph_family_exports_what_it_trained(variant: str, tmp_path: Path) -> None:
    x = np.random.default_rng(3).random((24, 7, 8, 8), dtype=np.float32)
    x[:, 0] = np.triu(x[:, 0] > 0.4, 1)  # a DAG in topological order, as the encodings give
    model = train_predictor(x, x.sum(axis=(1, 2, 3)), variant=variant, epochs=2)
    assert export_onnx(model.module, model.input_shape, tmp_path / "m.onnx", x) <= 1e-5
