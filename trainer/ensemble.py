"""An ensemble of K predictors: ``train_ensemble(x, y, variant=..., members=K)`` -> ``TrainedEnsemble``.

The members' disagreement (``spread``) says how far to trust a score: a cell the members rank alike is
one the training cells pin down, a cell they disagree on is one worth measuring. Each member trains
on its own bootstrap resample of the cells with its own seed, so they differ in both data and start.
Every member's scores have mean 0 and std 1 on its own training cells (``train.py``), so the mean and
spread are on that scale.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from trainer.train import TrainedModel, train_predictor
from trainer.variants import Variant, get_variant

SEED_STRIDE = 1000  # member i of seed s trains with seed s * 1000 + i: distinct for up to 1000 members


class EnsembleModule(nn.Module):
    """``forward(x) -> (mean, spread)``: the members' mean score and their population std, both [batch]."""

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        scores = torch.stack([member(x)[0] for member in self.members], dim=1)  # [batch, K]
        # Population std (ddof 0) of the deviations from the first member: the same std, but exactly 0
        # where the members agree (the mean of K equal floats need not round back to them).
        deviations = scores - scores[:, :1]
        centred = deviations - deviations.mean(dim=1, keepdim=True)
        return scores.mean(dim=1), centred.square().mean(dim=1).sqrt()


@dataclass
class TrainedEnsemble:
    """K trained members in eval mode and the module that averages them; ``seed`` is the base seed."""

    module: EnsembleModule
    members: list[TrainedModel]
    variant: Variant
    input_shape: tuple[int, int, int]
    epochs: int
    seed: int
    cells: int  # distinct cells given to train_ensemble (each member sees a resample of them)

    @torch.no_grad()
    def predict(self, x: np.ndarray, batch_size: int = 4096) -> tuple[np.ndarray, np.ndarray]:
        """(mean, spread) float32 arrays for tensors of shape (n, *input_shape); higher mean = better."""
        self.module.eval()
        outputs = [
            self.module(torch.from_numpy(np.ascontiguousarray(x[i : i + batch_size], dtype=np.float32)))
            for i in range(0, len(x), batch_size)
        ]
        if not outputs:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.float32)
        means, spreads = zip(*outputs, strict=True)
        return torch.cat(means).numpy(), torch.cat(spreads).numpy()


def member_seed(seed: int, member: int) -> int:
    """The seed of member ``member`` (0-based) of an ensemble trained with ``seed``."""
    return seed * SEED_STRIDE + member


def bootstrap_indices(cells: int, seed: int) -> np.ndarray:
    """``cells`` draws with replacement from range(cells), holding at least 2 distinct cells.

    A ranking loss needs two different cells; a draw with fewer is drawn again from the same generator,
    so the resample stays a function of (cells, seed) alone and can be rebuilt (e.g. for out-of-bag scores).
    """
    if cells < 2:
        raise ValueError("need at least 2 labelled cells to train a ranking predictor")
    rng = np.random.default_rng(seed)
    while True:
        index = rng.integers(0, cells, size=cells)
        if len(np.unique(index)) >= 2:
            return index


def resamples(cells: int, seed: int, members: int, *, bootstrap: bool = True) -> list[np.ndarray]:
    """The training cells of each member of an ensemble trained with ``seed``: member i's bootstrap
    resample (``bootstrap_indices(cells, member_seed(seed, i))``), or with ``bootstrap`` off every cell."""
    if not bootstrap:
        return [np.arange(cells) for _ in range(members)]
    return [bootstrap_indices(cells, member_seed(seed, i)) for i in range(members)]


def train_ensemble(
    x: np.ndarray,
    y: np.ndarray,
    *,
    variant: str,
    members: int,
    epochs: int,
    seed: int,
    bootstrap: bool = True,
    aux: np.ndarray | None = None,
    progress: bool = False,
    **train_kwargs: Any,
) -> TrainedEnsemble:
    """Train ``members`` predictors of ``variant``; member i with seed ``member_seed(seed, i)``.

    With ``bootstrap`` member i trains on ``bootstrap_indices(len(x), member_seed(seed, i))``, else on
    every cell (then members differ by seed only, and one member is exactly ``train_predictor`` with
    seed ``seed * 1000``). ``aux``: the cells' auxiliary labels (see ``train_predictor``). ``train_kwargs``
    (batch_size, lr, ...) go to ``train_predictor``.
    """
    if not 1 <= members <= SEED_STRIDE:
        raise ValueError(f"an ensemble has 1 to {SEED_STRIDE} members, got {members}")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} cells but y has {len(y)} labels")
    trained = [
        train_predictor(
            x[index],
            y[index],
            variant=variant,
            aux=None if aux is None else aux[index],
            epochs=epochs,
            seed=member_seed(seed, i),
            progress=progress,
            **train_kwargs,
        )
        for i, index in enumerate(resamples(len(x), seed, members, bootstrap=bootstrap))
    ]
    module = EnsembleModule([m.module for m in trained])
    module.eval()
    first = trained[0]
    return TrainedEnsemble(module, trained, first.variant, first.input_shape, epochs, seed, len(x))


def train_variant(
    x: np.ndarray, y: np.ndarray, *, variant: str, epochs: int, seed: int, aux: np.ndarray | None = None
) -> TrainedModel | TrainedEnsemble:
    """``variant`` as its spec says: one model, or an ensemble of its ``members`` (each on a bootstrap
    resample where the spec says ``bootstrap``); the batch is the variant's schedule."""
    spec = get_variant(variant)
    if spec.members == 1:
        return train_predictor(x, y, variant=variant, aux=aux, epochs=epochs, seed=seed)
    return train_ensemble(
        x,
        y,
        variant=variant,
        members=spec.members,
        epochs=epochs,
        seed=seed,
        bootstrap=spec.bootstrap,
        aux=aux,
    )
