"""ONNX export with a torch-vs-onnxruntime parity check, and the model card written beside it.

The graph reads ``x`` float32 [batch, C, H, W] (the space's raw encoding: standardisation is inside)
and returns ``score`` float32 [batch]; the batch axis is dynamic. Every export is checked at batch 1
and 1,024 on CPUExecutionProvider and raises ``ParityError`` when scores differ by more than 1e-5.
"""

import logging
import warnings
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from service.inference.card import ModelCard, TrainingInfo, sha256_file

PARITY_ATOL = 1e-5
PACKAGE_VERSION = version("renas-service")  # recorded in every card
PARITY_BATCHES = (1, 1024)
log = logging.getLogger(__name__)


class ParityError(RuntimeError):
    """The exported graph does not compute what the torch module computes."""


class ScoreOnly(nn.Module):
    """The exported signature: a predictor's score without its features."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x)[0]


def _parity_inputs(sample: np.ndarray | None, shape: tuple[int, ...], batch: int) -> np.ndarray:
    """``batch`` tensors: the sample's cells repeated, or uniform noise without a sample."""
    if sample is None or len(sample) == 0:
        return np.random.default_rng(0).random((batch, *shape), dtype=np.float32)
    return np.ascontiguousarray(np.resize(sample, (batch, *shape)), dtype=np.float32)


def check_parity(module: nn.Module, onnx_path: Path, sample: np.ndarray | None = None) -> float:
    """Largest |torch - onnxruntime| score difference over batches of 1 and 1,024; raises ParityError."""
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    shape = tuple(session.get_inputs()[0].shape[1:])
    worst = 0.0
    module.eval()
    for batch in PARITY_BATCHES:
        x = _parity_inputs(sample, shape, batch)
        with torch.no_grad():
            expected = module(torch.from_numpy(x))[0].numpy()
        (got,) = session.run(["score"], {"x": x})
        if got.shape != (batch,):
            raise ParityError(f"onnx score has shape {got.shape} at batch {batch}, expected ({batch},)")
        worst = max(worst, float(np.max(np.abs(got - expected))))
    if worst > PARITY_ATOL:
        raise ParityError(f"onnx and torch scores differ by {worst:.3g} > {PARITY_ATOL} ({onnx_path})")
    return worst


def export_onnx(
    module: nn.Module, input_shape: tuple[int, ...], path: Path, sample: np.ndarray | None = None
) -> float:
    """Write ``module`` as ONNX to ``path`` and check parity; returns the largest score difference."""
    path.parent.mkdir(parents=True, exist_ok=True)
    module.eval()
    example = torch.from_numpy(_parity_inputs(sample, input_shape, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation chatter, not about this model
        program = torch.onnx.export(
            ScoreOnly(module),
            (example,),
            input_names=["x"],
            output_names=["score"],
            dynamic_shapes=({0: torch.export.Dim("batch")},),
            dynamo=True,
            external_data=False,
            verbose=False,
        )
    program.save(str(path))
    try:
        worst = check_parity(module, path, sample)
    except ParityError:
        path.unlink()  # never leave an unchecked graph where the service looks for models
        raise
    log.info("exported %s (parity: max |torch - onnx| = %.2g)", path, worst)
    return worst


def write_card(
    onnx_path: Path,
    *,
    model_id: str,
    space: str,
    dataset: str,
    label: str,
    variant: str,
    encoding: str,
    encoding_version: int,
    input_shape: tuple[int, ...],
    training: TrainingInfo,
    metrics: dict[str, float],
    default: bool = False,
) -> ModelCard:
    """Validate and write ``<onnx stem>.json`` beside the .onnx (sha256 of the file as written)."""
    card = ModelCard(
        id=model_id,
        space=space,
        dataset=dataset,
        label=label,
        variant=variant,
        encoding=encoding,
        encoding_version=encoding_version,
        input_shape=[None, *input_shape],
        default=default,
        training=training,
        metrics=metrics,
        onnx_file=onnx_path.name,
        sha256=sha256_file(onnx_path),
        created=datetime.now(UTC),
        package_version=PACKAGE_VERSION,
    )
    onnx_path.with_suffix(".json").write_text(card.model_dump_json(indent=2) + "\n")
    return card
