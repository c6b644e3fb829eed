"""Named predictor variants: which encoding a model reads, which loss trains it, which network it is.

ReNAS-1..6 follow the paper's ablation grid {type matrix, full tensor} x {MSE, L1, L1 + lambda L2}:
odd numbers read the 1x7x7 type matrix ("renas-type"), even numbers the 19x7x7 tensor ("renas-full").
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

from torch import nn

from trainer.losses import Phi
from trainer.model import CellGNN, CellGraphAttention, CellPathGNN, LeNet5, Standardize, VertexMLP

LossKind = Literal["mse", "pairwise", "renas"]
# How many cells a batch and how many epochs, when the caller does not say: the paper's (batch 1,024,
# 200 epochs), or the small-data schedule (``trainer.train.batch_size_for`` / ``epochs_for``).
Schedule = Literal["paper", "small-data"]
# The auxiliary loss's weight beside the label's (1: as much as the label), fixed before any run.
AUX_WEIGHT = 1.0
ModelFactory = Callable[[tuple[int, int, int], Standardize], nn.Module]


@dataclass(frozen=True)
class LossConfig:
    kind: LossKind
    phi: Phi = "logistic"
    margin: float = 0.1
    lam: float = 0.5  # weight of the triplet continuity loss (kind "renas" only)


@dataclass(frozen=True)
class Variant:
    name: str
    encoding: str  # the space's encoding name the model reads
    loss: LossConfig
    family: str  # key of MODEL_FAMILIES
    schedule: Schedule = "paper"
    members: int = 1  # more: an ensemble of seeds, scored by the mean (a Table 1 method)
    bootstrap: bool = False  # members on bootstrap resamples (as a study's refit trains them), else all cells
    # > 0: also rank the training cells by each cheaper budget's accuracy (``LabelledCells.aux``) through a
    # linear head on the features that exists during training only, with this weight on their mean loss
    aux_weight: float = 0.0


MODEL_FAMILIES: dict[str, ModelFactory] = {
    "lenet5": LeNet5,
    "mlp": VertexMLP,
    "gnn": CellGNN,
    "path": CellPathGNN,  # CellGNN with learned longest- and shortest-path sums in its read-out
    "attn": CellGraphAttention,  # CellGNN with self-attention and structural positions
}


def _pairwise_family(family: str, *, aux: bool = False) -> tuple[Variant, ...]:
    """``<family>-pair`` (the pairwise loss on the full tensor) and its schedules and ensembles:
    ``-sb`` small batches below a thousand cells (about 1,500 steps instead of 200), ``-sb-x5`` five seeds
    of that, ``-x5`` five seeds on the paper's schedule (the small batches hurt from about a thousand
    cells up), ``-sb-b3`` what a study's refit trains (trainer/train_job.py: 3 members, each on a
    bootstrap resample). With ``aux``, ``<family>-pair-aux...``: the same with the auxiliary loss on the
    cheaper budgets' accuracies (no ``-sb-b3``: a study's told cells have no such labels)."""
    name, loss = f"{family}-pair-aux" if aux else f"{family}-pair", LossConfig("pairwise")
    of = partial(
        Variant, encoding="renas-full", loss=loss, family=family, aux_weight=AUX_WEIGHT if aux else 0.0
    )
    variants = (
        of(name),
        of(f"{name}-sb", schedule="small-data"),
        of(f"{name}-sb-x5", schedule="small-data", members=5),
        of(f"{name}-x5", members=5),
    )
    return (
        variants
        if aux
        else (*variants, of(f"{name}-sb-b3", schedule="small-data", members=3, bootstrap=True))
    )


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("renas1", "renas-type", LossConfig("mse"), "lenet5"),
        Variant("renas2", "renas-full", LossConfig("mse"), "lenet5"),
        Variant("renas3", "renas-type", LossConfig("pairwise"), "lenet5"),
        Variant("renas4", "renas-full", LossConfig("pairwise"), "lenet5"),
        Variant("renas5", "renas-type", LossConfig("renas"), "lenet5"),
        Variant("renas6", "renas-full", LossConfig("renas"), "lenet5"),
        Variant("mlp-pair", "renas-full", LossConfig("pairwise"), "mlp"),
        *_pairwise_family("gnn"),
        *_pairwise_family("path"),
        *_pairwise_family("attn"),
        *_pairwise_family("gnn", aux=True),
        *_pairwise_family("path", aux=True),
    )
}


def get_variant(name: str) -> Variant:
    try:
        return VARIANTS[name]
    except KeyError:
        raise KeyError(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}") from None


def build_model(variant: Variant, input_shape: tuple[int, int, int], standardize: Standardize) -> nn.Module:
    """A fresh network of the variant's family for per-cell tensors of ``input_shape``."""
    return MODEL_FAMILIES[variant.family](input_shape, standardize)
