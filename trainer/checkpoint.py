"""Torch checkpoints of trained predictors, so a model can be exported again without retraining."""

from pathlib import Path
from typing import Any

import torch

from trainer.model import Standardize
from trainer.train import TrainedModel
from trainer.variants import build_model, get_variant


def save_checkpoint(path: Path, model: TrainedModel, card_fields: dict[str, Any]) -> None:
    """Weights, variant, shape and training facts, plus the card fields ``export`` needs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "variant": model.variant.name,
            "input_shape": list(model.input_shape),
            "epochs": model.epochs,
            "seed": model.seed,
            "cells": model.cells,
            "state_dict": model.module.state_dict(),
            "card": card_fields,
        },
        path,
    )


def load_checkpoint(path: Path) -> tuple[TrainedModel, dict[str, Any]]:
    blob = torch.load(path, map_location="cpu", weights_only=True)
    variant = get_variant(blob["variant"])
    shape = tuple(blob["input_shape"])
    module = build_model(variant, shape, Standardize.identity(shape))
    module.load_state_dict(blob["state_dict"])
    module.eval()
    return TrainedModel(module, variant, shape, blob["epochs"], blob["seed"], blob["cells"]), blob["card"]
