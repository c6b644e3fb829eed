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

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        adjacency = (x[:, 0] > 0).to(x.dtype)
        values = x.amax(dim=2)  # (n, C, V): each vertex's value in every channel
        types = torch.round(values[:, 0]).clamp(0, self.max_type - 1)
        type_onehot = (types[..., None] == torch.arange(self.max_type, device=x.device)).to(x.dtype)
        costs = values[:, 1:].transpose(1, 2)
        positions = self.positions.expand(x.shape[0], -1, -1)
        h = self.embed(torch.cat([type_onehot, positions, costs], dim=2))
        for layer in self.layers:
            h = layer(h, adjacency)
        features = self.readout(torch.cat([h.mean(dim=1), h[:, -1]], dim=1))
        return self.head(features).reshape(-1), features
