"""The graph networks' parts on hand-made cells: path sums over a known DAG, and every graph family
exported to ONNX computes what was trained."""

from pathlib import Path

import numpy as np
import pytest
import torch

from trainer.export import export_onnx
from trainer.model import _PathPool
from trainer.train import train_predictor

# 0 -> 1 -> 2 -> 4, 0 -> 3 -> 4 and 0 -> 4: paths of 4, 3 and 2 vertices; vertex 5 is padding.
EDGES = [(0, 1), (1, 2), (2, 4), (0, 3), (3, 4), (0, 4)]


def adjacency(vertices: int = 6) -> torch.Tensor:
    a = torch.zeros(1, vertices, vertices)
    for i, j in EDGES:
        a[0, i, j] = 1.0
    return a


def pool_with_vertex_weights(weights: list[float]) -> tuple[_PathPool, torch.Tensor]:
    """A one-channel pool whose weight at vertex v is ``weights[v]`` (the states are one-hot vertices)."""
    pool = _PathPool(len(weights), channels=1)
    with torch.no_grad():
        pool.weights.weight.copy_(torch.tensor([weights]))
        pool.weights.bias.zero_()
    return pool, torch.eye(len(weights))[None]


def test_path_pool_sums_the_heaviest_and_lightest_input_to_output_paths() -> None:
    a = adjacency()
    pool, h = pool_with_vertex_weights([1, 1, 1, 1, 1, 0])  # counting vertices on the way to 4
    sub = (slice(None), slice(0, 5))
    longest, shortest = pool(h[sub], a[:, :5, :5])[0]
    assert (longest.item(), shortest.item()) == (4.0, 2.0)
    pool, h = pool_with_vertex_weights([0, 5, 0, -2, 0, 0])
    # The output is vertex 5 here, and nothing enters it: both ends stay far from any path sum.
    far = pool(h, a)[0]
    assert far[0] < -1e3 and far[1] > 1e3
    longest, shortest = pool(h[sub], a[:, :5, :5])[0]
    assert (longest.item(), shortest.item()) == (5.0, -2.0)


@pytest.mark.parametrize("variant", ["gnn-pair", "attn-pair", "path-pair"])
def test_every_graph_family_exports_what_it_trained(variant: str, tmp_path: Path) -> None:
    x = np.random.default_rng(3).random((24, 7, 8, 8), dtype=np.float32)
    x[:, 0] = np.triu(x[:, 0] > 0.4, 1)  # a DAG in topological order, as the encodings give
    model = train_predictor(x, x.sum(axis=(1, 2, 3)), variant=variant, epochs=2)
    assert export_onnx(model.module, model.input_shape, tmp_path / "m.onnx", x) <= 1e-5
