"""ONNX export with a torch-vs-onnxruntime parity check, and the model card written beside it.

The graph reads ``x`` float32 [batch, C, H, W] (the space's raw encoding: standardisation is inside)
and returns ``score`` float32 [batch]; an ensemble's graph also returns ``spread`` float32 [batch] (the
members' std). The batch axis is dynamic. What is exported is ``model.for_inference(module)``, the same
function in fewer operations. Every export is checked against the module as trained at batch 1 and
1,024 on CPUExecutionProvider and raises ``ParityError`` when any output differs by more than 1e-5.
"""

import hashlib
import logging
import tempfile
import warnings
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from service.inference.card import ModelCard, TrainingInfo
from trainer.ensemble import EnsembleModule
from trainer.model import for_inference

PARITY_ATOL = 1e-5
PACKAGE_VERSION = version("renas-service")  # recorded in every card
PARITY_BATCHES = (1, 1024)
OPSET = 18
SCORE_OUTPUT, SPREAD_OUTPUT = "score", "spread"
log = logging.getLogger(__name__)


class ParityError(RuntimeError):
    """The exported graph does not compute what the torch module computes."""


class ScoreOnly(nn.Module):
    """The exported signature of a single predictor: its score without its features."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor]:
        return (self.module(x)[0],)


def _signature(module: nn.Module) -> tuple[nn.Module, list[str]]:
    """What is exported and its output names: an ensemble's (score, spread), a predictor's score."""
    if isinstance(module, EnsembleModule):
        return module, [SCORE_OUTPUT, SPREAD_OUTPUT]
    return ScoreOnly(module), [SCORE_OUTPUT]


def _parity_inputs(sample: np.ndarray | None, shape: tuple[int, ...], batch: int) -> np.ndarray:
    """``batch`` tensors: the sample's cells repeated, or uniform noise without a sample."""
    if sample is None or len(sample) == 0:
        return np.random.default_rng(0).random((batch, *shape), dtype=np.float32)
    return np.ascontiguousarray(np.resize(sample, (batch, *shape)), dtype=np.float32)


def check_parity(module: nn.Module, onnx_path: Path, sample: np.ndarray | None = None) -> float:
    """Largest |torch - onnxruntime| difference of every output over batches of 1 and 1,024.

    Raises ParityError beyond 1e-5 (an ensemble's spread is checked as well as its score).
    """
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    shape = tuple(session.get_inputs()[0].shape[1:])
    graph, names = _signature(module)
    worst = 0.0
    module.eval()
    for batch in PARITY_BATCHES:
        x = _parity_inputs(sample, shape, batch)
        with torch.no_grad():
            expected = [out.numpy() for out in graph(torch.from_numpy(x))]
        for name, want, got in zip(names, expected, session.run(names, {"x": x}), strict=True):
            if got.shape != (batch,):
                raise ParityError(f"onnx {name} has shape {got.shape} at batch {batch}, expected ({batch},)")
            worst = max(worst, float(np.max(np.abs(got - want))))
    if worst > PARITY_ATOL:
        raise ParityError(f"onnx and torch outputs differ by {worst:.3g} > {PARITY_ATOL} ({onnx_path})")
    return worst


def export_onnx(
    module: nn.Module, input_shape: tuple[int, ...], path: Path, sample: np.ndarray | None = None
) -> float:
    """Write ``module`` (a predictor or an ``EnsembleModule``) as ONNX to ``path`` and check parity.

    Returns the largest torch-vs-onnxruntime difference over the graph's outputs.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    module.eval()
    example = torch.from_numpy(_parity_inputs(sample, input_shape, 2))
    graph, names = _signature(for_inference(module))
    # The TorchScript-based exporter: 0.6 s for a 3-member ensemble where torch.export (dynamo=True)
    # takes 18 s (a refit's export was most of its time); the parity check below holds either way.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation chatter, not about this model
        torch.onnx.export(
            graph,
            (example,),
            str(path),
            input_names=["x"],
            output_names=names,
            dynamic_axes={name: {0: "batch"} for name in ["x", *names]},
            dynamo=False,
            opset_version=OPSET,
        )
    try:
        worst = check_parity(module, path, sample)
    except ParityError:
        path.unlink()  # never leave an unchecked graph where the service looks for models
        raise
    log.info("exported %s (parity: max |torch - onnx| = %.2g)", path, worst)
    return worst


def export_onnx_bytes(
    module: nn.Module, input_shape: tuple[int, ...], sample: np.ndarray | None = None
) -> bytes:
    """The parity-checked ONNX file's bytes, for models stored elsewhere than in a models folder."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.onnx"
        export_onnx(module, input_shape, path, sample)
        return path.read_bytes()


def card_for(
    onnx: bytes,
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
    spread_output: str | None = None,
    members: int = 1,
    output_name: str = SCORE_OUTPUT,
    onnx_file: str | None = None,
) -> ModelCard:
    """The validated card of the ONNX bytes ``onnx`` (their sha256), named ``onnx_file`` (default
    ``<model_id>.onnx``): what ``write_card`` writes, and what a model kept as bytes is stored with.

    ``spread_output`` names an ensemble's spread output (``SPREAD_OUTPUT``) and ``members`` its size.
    """
    return ModelCard(
        id=model_id,
        space=space,
        dataset=dataset,
        label=label,
        variant=variant,
        encoding=encoding,
        encoding_version=encoding_version,
        output_name=output_name,
        spread_output=spread_output,
        members=members,
        input_shape=[None, *input_shape],
        default=default,
        training=training,
        metrics=metrics,
        onnx_file=onnx_file or f"{model_id}.onnx",
        sha256=hashlib.sha256(onnx).hexdigest(),
        created=datetime.now(UTC),
        package_version=PACKAGE_VERSION,
    )


def write_card(onnx_path: Path, **fields: Any) -> ModelCard:
    """Validate and write ``<onnx stem>.json`` beside the .onnx: ``card_for`` (``fields`` are its
    keywords) of the file as written."""
    card = card_for(onnx_path.read_bytes(), onnx_file=onnx_path.name, **fields)
    onnx_path.with_suffix(".json").write_text(card.model_dump_json(indent=2) + "\n")
    return card
