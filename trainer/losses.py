"""ReNAS training losses, vectorised over all pairs / triplets of a batch.

- ``mse_loss``: element-wise regression (ReNAS-1/2).
- ``pairwise_ranking_loss`` (L1 of the paper): mean over ordered pairs (i, j) with y_i != y_j of
  phi((f_i - f_j) * sign(y_i - y_j)); small when the predicted order agrees with the true one.
- ``triplet_continuity_loss`` (L2): with penultimate features h and d_ij = ||h_i - h_j||_2, mean over
  triplets (i, j, k) of distinct cells with |y_i - y_j| != |y_i - y_k| of
  phi((d_ik - d_ij) * sign(|y_i - y_k| - |y_i - y_j|)): a cell whose accuracy is closer to the anchor's
  must also lie closer in feature space. Batches with more than ``max_triplets`` triplets draw that
  many uniformly at random (with replacement) instead of enumerating all n^3.
- ``renas_loss``: L = L1 + lambda * L2 (ReNAS-5/6).

phi is one of: hinge (a - z)+ with margin a, logistic log(1 + e^-z), exponential e^-z.
"""

from typing import Literal

import torch
from torch.nn import functional

Phi = Literal["hinge", "logistic", "exponential"]
PHIS: tuple[Phi, ...] = ("hinge", "logistic", "exponential")
DEFAULT_MAX_TRIPLETS = 32_768
_EPS = 1e-12


def phi(z: torch.Tensor, kind: Phi, margin: float = 0.1) -> torch.Tensor:
    """Surrogate for the 0/1 loss of a signed agreement z (large z = correct order)."""
    if kind == "hinge":
        return functional.relu(margin - z)
    if kind == "logistic":
        return functional.softplus(-z)
    if kind == "exponential":
        return torch.exp(-z)
    raise ValueError(f"unknown phi {kind!r}; choose one of {', '.join(PHIS)}")


def mse_loss(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return functional.mse_loss(pred, y)


def _masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of values where mask; 0 (still attached to the graph) when nothing is selected."""
    return (values * mask).sum() / mask.sum().clamp_min(1)


def pairwise_ranking_loss(
    pred: torch.Tensor, y: torch.Tensor, *, kind: Phi = "logistic", margin: float = 0.1
) -> torch.Tensor:
    sign = torch.sign(y[:, None] - y[None, :])
    z = (pred[:, None] - pred[None, :]) * sign
    return _masked_mean(phi(z, kind, margin), sign != 0)


def pairwise_distances(h: torch.Tensor) -> torch.Tensor:
    """(n, n) Euclidean distances between rows, via the Gram matrix (cheap to back-propagate);
    smooth at 0 so gradients stay finite."""
    sq = h.pow(2).sum(-1)
    return ((sq[:, None] + sq[None, :] - 2.0 * h @ h.T).clamp_min(0.0) + _EPS).sqrt()


def all_triplets(n: int) -> torch.Tensor:
    """(m, 3) index triplets (i, j, k) of pairwise-distinct cells, i the anchor."""
    i, j, k = torch.meshgrid(torch.arange(n), torch.arange(n), torch.arange(n), indexing="ij")
    keep = (i != j) & (i != k) & (j != k)
    return torch.stack([i[keep], j[keep], k[keep]], dim=1)


def sample_triplets(n: int, count: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """(count, 3) uniformly drawn index triplets; degenerate ones are masked out by the loss."""
    return torch.randint(0, n, (count, 3), generator=generator)


def triplet_continuity_loss(
    features: torch.Tensor,
    y: torch.Tensor,
    *,
    kind: Phi = "logistic",
    margin: float = 0.1,
    max_triplets: int = DEFAULT_MAX_TRIPLETS,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    n = features.shape[0]
    if n < 3:
        return features.sum() * 0.0
    if n * (n - 1) * (n - 2) <= max_triplets:
        t = all_triplets(n).to(features.device)
    else:
        t = sample_triplets(n, max_triplets, generator).to(features.device)
    i, j, k = t[:, 0], t[:, 1], t[:, 2]
    d = pairwise_distances(features)
    d_ij, d_ik = d[i, j], d[i, k]
    sign = torch.sign((y[i] - y[k]).abs() - (y[i] - y[j]).abs())
    valid = (sign != 0) & (i != j) & (i != k) & (j != k)
    return _masked_mean(phi((d_ik - d_ij) * sign, kind, margin), valid)


def renas_loss(
    pred: torch.Tensor,
    features: torch.Tensor,
    y: torch.Tensor,
    *,
    kind: Phi = "logistic",
    margin: float = 0.1,
    lam: float = 0.5,
    max_triplets: int = DEFAULT_MAX_TRIPLETS,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """L = L1 + lambda * L2."""
    l1 = pairwise_ranking_loss(pred, y, kind=kind, margin=margin)
    l2 = triplet_continuity_loss(
        features, y, kind=kind, margin=margin, max_triplets=max_triplets, generator=generator
    )
    return l1 + lam * l2
