"""The steps behind ``renas-train``: train on a split, measure held-out tau, export ONNX + card, evaluate.

Kept apart from the CLI so scripts and tests call the same functions the commands run.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.inference.card import ModelCard, TrainingInfo
from service.inference.onnx_scoring import score_cells
from service.inference.registry import load_model
from service.inference.session import CPU
from service.spaces import get_space
from trainer.data import LabelledCells, load_labelled, split
from trainer.ensemble import TrainedEnsemble, train_ensemble
from trainer.export import SPREAD_OUTPUT, export_onnx, write_card
from trainer.metrics import kendall_tau
from trainer.train import TrainedModel, train_predictor
from trainer.variants import get_variant

log = logging.getLogger(__name__)
Trained = TrainedModel | TrainedEnsemble


@dataclass(frozen=True)
class FitResult:
    model: Trained
    metrics: dict[str, float]  # held-out tau and split sizes
    sample: np.ndarray  # a few held-out (or training) tensors, for the export's parity check


def _train(
    x: np.ndarray,
    y: np.ndarray,
    aux: np.ndarray,
    *,
    variant: str,
    members: int,
    seed: int,
    epochs: int,
    progress: bool,
    bootstrap: bool = True,
) -> Trained:
    """One predictor, or with ``members`` > 1 an ensemble of that many (on bootstrap resamples, or with
    ``bootstrap`` off each on every cell); ``aux``: the cells' auxiliary labels, for variants that use them.
    """
    if members == 1:
        return train_predictor(x, y, variant=variant, aux=aux, epochs=epochs, seed=seed, progress=progress)
    return train_ensemble(
        x,
        y,
        variant=variant,
        members=members,
        epochs=epochs,
        seed=seed,
        bootstrap=bootstrap,
        aux=aux,
        progress=progress,
    )


def _scores(model: Trained, x: np.ndarray) -> np.ndarray:
    """The predicted scores (an ensemble's mean) of tensors ``x``."""
    return model.predict(x)[0] if isinstance(model, TrainedEnsemble) else model.predict(x)


def fit_on_split(
    data: LabelledCells,
    *,
    variant: str,
    train: float | int,
    seed: int,
    epochs: int,
    members: int = 1,
    bootstrap: bool = True,
    progress: bool = False,
) -> FitResult:
    """Train on a random split of ``data`` (``train`` = count or fraction) and score the rest."""
    spec = get_variant(variant)
    train_idx, test_idx = split(len(data.cells), train, seed)
    x_train, x_test = data.encode(spec.encoding, train_idx), data.encode(spec.encoding, test_idx)
    model = _train(
        x_train,
        data.y[train_idx],
        data.aux[train_idx],
        variant=variant,
        members=members,
        seed=seed,
        epochs=epochs,
        progress=progress,
        bootstrap=bootstrap,
    )
    tau = kendall_tau(data.y[test_idx], _scores(model, x_test))
    metrics = {
        "kendall_tau": tau,
        "train_cells": float(len(train_idx)),
        "heldout_cells": float(len(test_idx)),
    }
    log.info(
        "%s on %d cells: Kendall tau %.4f on %d held-out cells", variant, len(train_idx), tau, len(test_idx)
    )
    return FitResult(model, metrics, x_test[:1024])


def fit_on_all(
    data: LabelledCells,
    *,
    variant: str,
    seed: int,
    epochs: int,
    members: int = 1,
    bootstrap: bool = True,
    progress: bool = False,
) -> Trained:
    """Train on every labelled cell (the shipped "all" models; measure on a split first)."""
    spec = get_variant(variant)
    x = data.encode(spec.encoding)
    return _train(
        x,
        data.y,
        data.aux,
        variant=variant,
        members=members,
        seed=seed,
        epochs=epochs,
        progress=progress,
        bootstrap=bootstrap,
    )


def export_with_card(
    model: Trained,
    data: LabelledCells,
    out_dir: Path,
    *,
    model_id: str,
    metrics: dict[str, float],
    command: str,
    sample: np.ndarray | None,
    default: bool = False,
) -> ModelCard:
    """``<out_dir>/<model_id>.onnx`` (parity-checked) and its card ``<model_id>.json``.

    An ensemble's graph and card carry its spread output and its number of members.
    """
    onnx_path = out_dir / f"{model_id}.onnx"
    export_onnx(model.module, model.input_shape, onnx_path, sample)
    spread_output, members = (
        (SPREAD_OUTPUT, len(model.members)) if isinstance(model, TrainedEnsemble) else (None, 1)
    )
    space = get_space(data.space)
    return write_card(
        onnx_path,
        model_id=model_id,
        space=data.space,
        dataset=data.dataset,
        label=data.label,
        variant=model.variant.name,
        encoding=model.variant.encoding,
        encoding_version=space.encoding_version,
        input_shape=model.input_shape,
        training=TrainingInfo(
            cells=model.cells, seed=model.seed, epochs=model.epochs, data=data.data_file, command=command
        ),
        metrics=metrics,
        default=default,
        spread_output=spread_output,
        members=members,
    )


def evaluate_onnx(
    onnx_path: Path, *, subset: str = "heldout", data_dir: Path | None = None
) -> tuple[float, int]:
    """(Kendall tau, number of cells) of an exported model against its card's label.

    ``heldout``: the cells outside the training split, rebuilt from the card (training cells and seed);
    ``all``: every labelled cell of the table.
    """
    # The service's own loading and scoring: sha256, encoding version and shape checked, input and
    # output names taken from the card.
    model = load_model(onnx_path.with_suffix(".json"), [CPU])
    card = model.card
    data = load_labelled(card.space, card.dataset, data_dir)
    if subset == "all":
        index = np.arange(len(data.cells))
    elif subset == "heldout":
        if card.training.cells >= len(data.cells):
            raise ValueError(f"{card.id} was trained on all {len(data.cells)} cells; use --subset all")
        _, index = split(len(data.cells), card.training.cells, card.training.seed)
    else:
        raise ValueError(f"unknown subset {subset!r}; choose heldout or all")
    scores = score_cells(model, get_space(card.space), [data.cells[i] for i in index])
    return kendall_tau(data.y[index], scores), len(index)
