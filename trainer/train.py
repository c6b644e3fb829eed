"""Training one predictor: ``train_predictor(x, y, variant=...)`` -> ``TrainedModel``.

Adam on mini-batches; labels are min-max scaled on the training set (as the authors' code does), inputs
standardised by a fixed layer inside the network. Deterministic on CPU for a given seed: the global
torch RNG is forked, so training leaves the caller's random state untouched.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from trainer.losses import DEFAULT_MAX_TRIPLETS, mse_loss, pairwise_ranking_loss, renas_loss
from trainer.model import Standardize
from trainer.variants import LossConfig, Variant, build_model, get_variant

BATCH_SIZE = 1024  # the paper's mini-batch
PAPER_EPOCHS = 200
# The small-data schedule: about eight batches an epoch and about SMALL_DATA_STEPS optimiser steps in all.
SMALL_DATA_STEPS = 1500
MIN_EPOCHS, MAX_EPOCHS = 20, 200
MIN_BATCH = 16


@dataclass
class TrainedModel:
    """A trained network in eval mode; ``module(x)`` returns (score, features).

    Scores are scaled to mean 0 and std 1 over the training cells (the order is what matters).
    """

    module: nn.Module
    variant: Variant
    input_shape: tuple[int, int, int]  # per-cell tensor shape, e.g. (19, 7, 7)
    epochs: int
    seed: int
    cells: int

    @torch.no_grad()
    def predict(self, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Scores (higher = better predicted accuracy) for float32 tensors of shape (n, *input_shape)."""
        self.module.eval()
        scores = [
            self.module(torch.from_numpy(np.ascontiguousarray(x[i : i + batch_size], dtype=np.float32)))[0]
            for i in range(0, len(x), batch_size)
        ]
        return torch.cat(scores).numpy() if scores else np.zeros(0, dtype=np.float32)


def batch_size_for(cells: int) -> int:
    """The small-data schedule's batch: about eight batches an epoch, between 16 and the paper's 1,024.
    Below a thousand cells the paper's batch means one optimiser step per epoch."""
    return int(np.clip(cells // 8, MIN_BATCH, BATCH_SIZE))


def epochs_for(cells: int) -> int:
    """The small-data schedule's epochs: about SMALL_DATA_STEPS steps, between 20 and 200 epochs."""
    steps_per_epoch = math.ceil(cells / batch_size_for(cells))
    return int(np.clip(math.ceil(SMALL_DATA_STEPS / steps_per_epoch), MIN_EPOCHS, MAX_EPOCHS))


def schedule_for(variant: Variant, cells: int) -> tuple[int, int]:
    """(epochs, batch size) of ``variant``'s schedule on ``cells`` training cells."""
    if variant.schedule == "small-data":
        return epochs_for(cells), batch_size_for(cells)
    return PAPER_EPOCHS, BATCH_SIZE


def _loss(
    cfg: LossConfig,
    pred: torch.Tensor,
    features: torch.Tensor,
    y: torch.Tensor,
    generator: torch.Generator,
    max_triplets: int,
) -> torch.Tensor:
    if cfg.kind == "mse":
        return mse_loss(pred, y)
    if cfg.kind == "pairwise":
        return pairwise_ranking_loss(pred, y, kind=cfg.phi, margin=cfg.margin)
    return renas_loss(
        pred,
        features,
        y,
        kind=cfg.phi,
        margin=cfg.margin,
        lam=cfg.lam,
        max_triplets=max_triplets,
        generator=generator,
    )


def _aux_loss(cfg: LossConfig, pred: torch.Tensor, aux: torch.Tensor) -> torch.Tensor:
    """Mean over the auxiliary labels (columns) of the pairwise loss of their head's scores."""
    return torch.stack(
        [
            pairwise_ranking_loss(pred[:, j], aux[:, j], kind=cfg.phi, margin=cfg.margin)
            for j in range(aux.shape[1])
        ]
    ).mean()


def scale_labels(y: np.ndarray) -> np.ndarray:
    """Min-max to [0, 1] (per column) so MSE and loss margins see the same range for every label."""
    lo, hi = np.min(y, axis=0), np.max(y, axis=0)
    return ((y - lo) / np.where(hi > lo, hi - lo, 1.0)).astype(np.float32)


def _aux_labels(spec: Variant, aux: np.ndarray | None, cells: int) -> torch.Tensor | None:
    """The scaled auxiliary labels the variant learns, or None when it has no auxiliary loss."""
    if spec.aux_weight == 0:
        return None
    if aux is None:
        raise ValueError(f"variant {spec.name!r} also learns cheaper budgets' accuracies: pass aux labels")
    aux = np.asarray(aux, dtype=np.float64)
    if aux.ndim != 2 or len(aux) != cells or aux.shape[1] == 0:
        raise ValueError(f"aux must be (cells, k >= 1) labels for {cells} cells, got shape {aux.shape}")
    return torch.from_numpy(scale_labels(aux))


def train_predictor(
    x: np.ndarray,
    y: np.ndarray,
    *,
    variant: str,
    aux: np.ndarray | None = None,
    epochs: int | None = None,
    seed: int = 0,
    batch_size: int | None = None,
    lr: float = 1e-3,
    weight_decay: float = 5e-4,
    max_triplets: int = DEFAULT_MAX_TRIPLETS,
    progress: bool = False,
) -> TrainedModel:
    """Train ``variant`` (a key of ``trainer.variants.VARIANTS``) on tensors x (n, C, H, W), labels y (n,).

    x must be the variant's encoding (``get_variant(variant).encoding``) of the training cells.
    ``aux`` (n, k): the same cells' auxiliary labels (``LabelledCells.aux``), required by a variant with an
    auxiliary loss and ignored by the others.
    ``epochs`` and ``batch_size`` default to the variant's schedule (``schedule_for``).
    ``max_triplets`` caps the triplets sampled per batch for the continuity loss.
    """
    spec = get_variant(variant)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} cells but y has {len(y)} labels")
    if x.ndim != 4:
        raise ValueError(f"x must be (n, C, H, W) cell tensors, got shape {x.shape}")
    if len(x) < 2:
        raise ValueError("need at least 2 labelled cells to train a ranking predictor")
    default_epochs, default_batch = schedule_for(spec, len(x))
    epochs = default_epochs if epochs is None else epochs
    batch_size = default_batch if batch_size is None else batch_size
    x = np.ascontiguousarray(x, dtype=np.float32)
    xt, yt = torch.from_numpy(x), torch.from_numpy(scale_labels(np.asarray(y, dtype=np.float64)))
    at = _aux_labels(spec, aux, len(x))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        generator = torch.Generator().manual_seed(seed)
        module = build_model(spec, x.shape[1:], Standardize.fit(x))
        # Scores of the auxiliary labels from the same features; discarded after training (never exported).
        aux_head = None if at is None else nn.Linear(module.head.in_features, at.shape[1])
        parameters = [*module.parameters(), *(aux_head.parameters() if aux_head is not None else ())]
        # fused: one kernel for every parameter (a sixth of the per-tensor loop's time at these sizes)
        optimizer = torch.optim.Adam(parameters, lr=lr, weight_decay=weight_decay, fused=True)
        module.train()
        for _ in tqdm(range(epochs), desc=f"train {variant}", unit="epoch", disable=not progress):
            order = torch.randperm(len(xt), generator=generator)
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                if len(idx) < 2:  # BatchNorm needs two samples; one leftover cell waits for the next epoch
                    continue
                pred, features = module(xt[idx])
                loss = _loss(spec.loss, pred, features, yt[idx], generator, max_triplets)
                if aux_head is not None and at is not None:
                    loss = loss + spec.aux_weight * _aux_loss(spec.loss, aux_head(features), at[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    module.eval()
    _standardize_scores(module, xt)
    return TrainedModel(module, spec, tuple(x.shape[1:]), epochs, seed, len(x))


@torch.no_grad()
def _standardize_scores(module: nn.Module, x: torch.Tensor) -> None:
    """Fold an affine map into the last layer so training-cell scores have mean 0 and std 1.

    Order is unchanged; ranking losses otherwise leave scores at arbitrary (often large) magnitudes,
    where float32 rounding alone breaks the 1e-5 torch-vs-ONNX parity bound.
    """
    scores = torch.cat([module(x[i : i + 4096])[0] for i in range(0, len(x), 4096)])
    mean, std = scores.mean(), scores.std()
    if not torch.isfinite(std) or std < 1e-12:
        return
    module.head.weight.div_(std)
    module.head.bias.sub_(mean).div_(std)
