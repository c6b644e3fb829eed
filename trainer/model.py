"""Predictor networks: each maps a batch of (C, H, W) cell tensors to (score, penultimate features).

NB101 tensors are (19 or 1, 7, 7), NB201 tensors (7 or 1, 8, 8).

Every network starts with a fixed ``Standardize`` layer (mean and std of the training tensors), so an
exported ONNX graph reads the space's raw encoding and the service needs no preprocessing.
"""

import copy

import numpy as np
import torch
from torch import nn


class Standardize(nn.Module):
    """(x - mean) / std per tensor element, with constants measured on the training set."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())

    @classmethod
    def fit(cls, x: np.ndarray) -> "Standardize":
        """Constants from training tensors; constant elements get std 1 so they map to 0."""
        mean = x.mean(axis=0)
        std = x.std(axis=0)
        std[std < 1e-8] = 1.0
        return cls(torch.from_numpy(mean.astype(np.float32)), torch.from_numpy(std.astype(np.float32)))

    @classmethod
    def identity(cls, shape: tuple[int, ...]) -> "Standardize":
        return cls(torch.zeros(shape), torch.ones(shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


class LeNet5(nn.Module):
    """LeNet-5 adapted to a small (C, H, W) input, as ReNAS uses it (sizes for 7x7; 8x8 in brackets).

    conv 3x3 pad 1, C -> 38, BN, ReLU   7x7 (8x8)
    max-pool 2x2 stride 1               6x6 (7x7)
    conv 3x3, 38 -> 128, BN, ReLU       4x4 (5x5)
    fc 128*4*4 = 2048 (3200) -> 120, ReLU; fc 120 -> 84, ReLU (the features); fc 84 -> 1 (the score)
    Widths 38/128/120/84 are those of the authors' released ReNAS code.
    """

    feature_dim = 84

    def __init__(self, input_shape: tuple[int, int, int], standardize: Standardize | None = None) -> None:
        super().__init__()
        in_channels, height, width = input_shape
        self.standardize = standardize or Standardize.identity(input_shape)
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, 38, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(38),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=1),
            nn.Conv2d(38, 128, kernel_size=3, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(),
        )
        self.features = nn.Sequential(
            nn.Flatten(),
            nn.Linear(128 * (height - 3) * (width - 3), 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
        )
        self.head = nn.Linear(84, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.features(self.conv(self.standardize(x)))
        return self.head(h).reshape(-1), h


class VertexMLP(nn.Module):
    """A wider perceptron over the flattened, standardised tensor: C*H*W -> 512 -> 256 -> 84 -> 1."""

    feature_dim = 84

    def __init__(self, input_shape: tuple[int, int, int], standardize: Standardize | None = None) -> None:
        super().__init__()
        self.standardize = standardize or Standardize.identity(input_shape)
        size = input_shape[0] * input_shape[1] * input_shape[2]
        self.features = nn.Sequential(
            nn.Flatten(),
            nn.Linear(size, 512),
            nn.ReLU(),
            nn.Linear(512, 256),
            nn.ReLU(),
            nn.Linear(256, 84),
            nn.ReLU(),
        )
        self.head = nn.Linear(84, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.features(self.standardize(x))
        return self.head(h).reshape(-1), h


class _GraphLayer(nn.Module):
    """h' = h + ReLU(LayerNorm(h W_self + (A^T h) W_pred + (A h) W_succ)): messages both ways along edges."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.own, self.pred, self.succ = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)

    def forward(self, h: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        from_pred = adjacency.transpose(1, 2) @ h
        from_succ = adjacency @ h
        return h + torch.relu(self.norm(self.own(h) + self.pred(from_pred) + self.succ(from_succ)))

    def fused(self) -> "_FusedGraphLayer":
        return _FusedGraphLayer(self)


class _FusedGraphLayer(nn.Module):
    """A ``_GraphLayer``'s function with its three linear maps as one: [h, A^T h, A h] W + b.

    The same numbers up to float rounding in about a quarter less ONNX Runtime time (one matmul, no sum
    of three). For inference only: trained from scratch it would start from a different init.
    """

    def __init__(self, layer: _GraphLayer) -> None:
        super().__init__()
        with torch.no_grad():
            weight = torch.cat([layer.own.weight, layer.pred.weight, layer.succ.weight], dim=1)
            self.register_buffer("weight", weight.T.contiguous())  # [3 * dim, dim]
            self.register_buffer("bias", layer.own.bias + layer.pred.bias + layer.succ.bias)
        self.norm = copy.deepcopy(layer.norm)

    def forward(self, h: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        messages = torch.cat([h, adjacency.transpose(1, 2) @ h, adjacency @ h], dim=2)
        return h + torch.relu(self.norm(messages @ self.weight + self.bias))


def for_inference(module: nn.Module) -> nn.Module:
    """A copy of ``module`` (a predictor or an ensemble of them) in eval mode that computes the same
    function faster: every graph layer fused. What is exported to ONNX; the parity check compares it
    with the module as trained."""
    fast = copy.deepcopy(module).eval()
    for parent in list(fast.modules()):
        for name, child in parent.named_children():
            if isinstance(child, _GraphLayer):
                setattr(parent, name, child.fused())
    return fast


class CellGNN(nn.Module):
    """A graph network over the cell's vertices, read back out of the ReNAS tensor.

    In every channel entry [i, j] = A[i, j] * v[j], so the adjacency is channel 0 > 0 and vertex j's
    values are the column maxima (all values are >= 0). Vertex input: one-hot of its type value (0..7),
    one-hot of its position in the canonical order, and its cost values (the encoders already scale them
    to about 0..3, so ``standardize`` is not used); 3 graph layers of width 64; read-out of the mean
    vertex and the output vertex -> 64 features -> score.
    """

    feature_dim = 64
    max_type = 8

    def __init__(self, input_shape: tuple[int, int, int], standardize: Standardize | None = None) -> None:
        super().__init__()
        channels, vertices, _ = input_shape
        self.vertices = vertices
        self.register_buffer("positions", torch.eye(vertices))
        width = 64
        self.embed = nn.Linear(self.max_type + vertices + channels - 1, width)
        self.layers = nn.ModuleList(_GraphLayer(width) for _ in range(3))
        self.readout = nn.Sequential(nn.Linear(2 * width, width), nn.ReLU())
        self.head = nn.Linear(width, 1)

    def _vertex_inputs(self, x: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        """[n, V, types + V + C - 1]: each vertex's type one-hot, position one-hot and cost values."""
        values = x.amax(dim=2)  # (n, C, V): each vertex's value in every channel
        types = torch.round(values[:, 0]).clamp(0, self.max_type - 1)
        type_onehot = (types[..., None] == torch.arange(self.max_type, device=x.device)).to(x.dtype)
        costs = values[:, 1:].transpose(1, 2)
        positions = self.positions.expand(x.shape[0], -1, -1)
        return torch.cat([type_onehot, positions, costs], dim=2)

    def _propagate(self, h: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        """The vertex states after the graph layers."""
        for layer in self.layers:
            h = layer(h, adjacency)
        return h

    def _pooled(self, h: torch.Tensor, adjacency: torch.Tensor) -> list[torch.Tensor]:
        """What the read-out takes: the mean vertex and the output vertex."""
        return [h.mean(dim=1), h[:, -1]]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        adjacency = (x[:, 0] > 0).to(x.dtype)
        h = self._propagate(self.embed(self._vertex_inputs(x, adjacency)), adjacency)
        features = self.readout(torch.cat(self._pooled(h, adjacency), dim=1))
        return self.head(features).reshape(-1), features


class _SelfAttention(nn.Module):
    """h' = h + W_o softmax(Q K^T / sqrt(d)) V over LayerNorm(h), per head: every vertex reads every other,
    where a graph layer reads only its neighbours."""

    def __init__(self, dim: int, heads: int = 4) -> None:
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.norm = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        n, vertices, dim = h.shape
        qkv = self.qkv(self.norm(h)).reshape(n, vertices, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        query, key, value = qkv[0], qkv[1], qkv[2]  # each [n, heads, vertices, head_dim]
        weights = torch.softmax(query @ key.transpose(2, 3) / self.head_dim**0.5, dim=3)
        return h + self.out((weights @ value).transpose(1, 2).reshape(n, vertices, dim))


class CellGraphAttention(CellGNN):
    """``CellGNN`` with a self-attention sublayer after each graph layer and the vertex's row and column
    of the adjacency in its input (a structural position, as PINAT and TNASP add to attention)."""

    def __init__(self, input_shape: tuple[int, int, int], standardize: Standardize | None = None) -> None:
        super().__init__(input_shape, standardize)
        channels, vertices, _ = input_shape
        width = self.embed.out_features
        self.embed = nn.Linear(self.max_type + 3 * vertices + channels - 1, width)
        self.attention = nn.ModuleList(_SelfAttention(width) for _ in self.layers)

    def _vertex_inputs(self, x: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        return torch.cat([super()._vertex_inputs(x, adjacency), adjacency, adjacency.transpose(1, 2)], dim=2)

    def _propagate(self, h: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        for layer, attention in zip(self.layers, self.attention, strict=True):
            h = attention(layer(h, adjacency))
        return h


class _PathPool(nn.Module):
    """The largest and smallest sum of learned vertex weights over the cell's input -> output paths.

    Hand-made path features (e.g. the fewest pooling or 1x1 vertices on any input -> output path) rank
    cells well with trees (GRAF); this learns ``channels`` such vertex weights from the vertex states
    and runs the longest- and shortest-path recursions over the DAG (vertices in topological order,
    input first, output last), one vertex at a time, over the vertices the input reaches. Where the
    input does not reach the output (NB-201 cells cut by ``none`` edges) both sums are 0.
    """

    far = 1e4  # stands in for -inf / +inf in a max / min over no predecessor (ONNX-safe, as in masks)

    def __init__(self, dim: int, channels: int = 16) -> None:
        super().__init__()
        self.weights = nn.Linear(dim, channels)

    def forward(self, h: torch.Tensor, adjacency: torch.Tensor) -> torch.Tensor:
        w = self.weights(h)  # [n, V, channels]
        longest, shortest = [w[:, 0]], [w[:, 0]]
        reached = [torch.ones_like(w[:, 0, :1], dtype=torch.bool)]  # [n, 1] per vertex
        for j in range(1, h.shape[1]):
            # [n, j, 1]: the earlier vertices that feed vertex j and that the input reaches
            into = (adjacency[:, :j, j, None] > 0) & torch.stack(reached, dim=1)
            reaches = into.any(dim=1)
            best = torch.where(into, torch.stack(longest, dim=1), -self.far).amax(dim=1)
            least = torch.where(into, torch.stack(shortest, dim=1), self.far).amin(dim=1)
            longest.append(torch.where(reaches, best, 0.0) + w[:, j])
            shortest.append(torch.where(reaches, least, 0.0) + w[:, j])
            reached.append(reaches)
        return torch.where(reached[-1], torch.cat([longest[-1], shortest[-1]], dim=1), 0.0)


class CellPathGNN(CellGNN):
    """``CellGNN`` whose read-out also takes ``_PathPool``'s path sums at the output vertex."""

    def __init__(self, input_shape: tuple[int, int, int], standardize: Standardize | None = None) -> None:
        super().__init__(input_shape, standardize)
        width = self.embed.out_features
        self.paths = _PathPool(width)
        self.readout = nn.Sequential(
            nn.Linear(2 * width + 2 * self.paths.weights.out_features, width), nn.ReLU()
        )

    def _pooled(self, h: torch.Tensor, adjacency: torch.Tensor) -> list[torch.Tensor]:
        return [*super()._pooled(h, adjacency), self.paths(h, adjacency)]
