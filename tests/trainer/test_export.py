"""ONNX export: dynamic batch axis, torch/onnxruntime parity (an ensemble's score and spread), failure on
a mismatch, a valid card, graph networks exported fused."""

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from service.inference.card import ModelCard, TrainingInfo, sha256_file
from trainer.ensemble import EnsembleModule, TrainedEnsemble, train_ensemble
from trainer.export import ParityError, card_for, check_parity, export_onnx, export_onnx_bytes, write_card
from trainer.model import _GraphLayer, for_inference
from trainer.train import train_predictor


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, torch.nn.Module, np.ndarray]:
    x = np.random.default_rng(0).random((40, 19, 7, 7), dtype=np.float32)
    model = train_predictor(x, x.sum(axis=(1, 2, 3)), variant="renas6", epochs=2)
    path = tmp_path_factory.mktemp("onnx") / "m.onnx"
    worst = export_onnx(model.module, model.input_shape, path, x)
    assert worst <= 1e-5
    return path, model.module, x


def test_graph_has_named_dynamic_batch_axis(exported) -> None:
    path, _, _ = exported
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (inp,), (out,) = session.get_inputs(), session.get_outputs()
    assert (inp.name, inp.type, inp.shape[1:]) == ("x", "tensor(float)", [19, 7, 7])
    assert isinstance(inp.shape[0], str) and out.name == "score" and len(out.shape) == 1
    for batch in (1, 3, 1024):
        assert session.run(["score"], {"x": np.zeros((batch, 19, 7, 7), np.float32)})[0].shape == (batch,)


def test_parity_check_fails_for_another_model(exported) -> None:
    path, _, x = exported
    other = train_predictor(x, -x.sum(axis=(1, 2, 3)), variant="renas6", epochs=1, seed=5).module
    with pytest.raises(ParityError, match="differ by"):
        check_parity(other, path, x)


def test_card_validates_and_hashes_the_file(exported) -> None:
    path, _, _ = exported
    card = write_card(
        path,
        model_id="nb101-test",
        space="nb101",
        dataset="cifar10",
        label="val_accuracy@108",
        variant="renas6",
        encoding="renas-full",
        encoding_version=1,
        input_shape=(19, 7, 7),
        training=TrainingInfo(cells=40, seed=0, epochs=2, data="toy", command="pytest"),
        metrics={"kendall_tau": 0.5},
    )
    read = ModelCard.model_validate_json(path.with_suffix(".json").read_text())
    assert read == card
    assert (
        read.sha256 == sha256_file(path)
        and read.input_shape == [None, 19, 7, 7]
        and read.onnx_file == "m.onnx"
    )


Ensemble = tuple[Path, TrainedEnsemble, np.ndarray]


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory: pytest.TempPathFactory) -> Ensemble:
    x = np.random.default_rng(1).random((40, 19, 7, 7), dtype=np.float32)
    trained = train_ensemble(x, x.sum(axis=(1, 2, 3)), variant="renas6", members=3, epochs=2, seed=0)
    path = tmp_path_factory.mktemp("onnx") / "e.onnx"
    assert export_onnx(trained.module, trained.input_shape, path, x) <= 1e-5
    return path, trained, x


def test_ensemble_graph_answers_score_and_spread_as_torch_does(ensemble: Ensemble) -> None:
    path, trained, x = ensemble
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["score", "spread"]
    score, spread = session.run(["score", "spread"], {"x": x})
    mean, expected_spread = trained.predict(x)
    np.testing.assert_allclose(score, mean, atol=1e-5)
    np.testing.assert_allclose(spread, expected_spread, atol=1e-5)
    assert (spread >= 0).all() and spread.max() > 0


class WiderSpread(EnsembleModule):
    """The same score as the ensemble it is built from, but half as much spread again."""

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, spread = super().forward(x)
        return mean, 1.5 * spread


def test_parity_check_covers_the_spread(ensemble: Ensemble) -> None:
    path, trained, x = ensemble
    assert check_parity(trained.module, path, x) <= 1e-5
    with pytest.raises(ParityError, match="differ by"):
        check_parity(WiderSpread(list(trained.module.members)), path, x)


def test_export_onnx_bytes_is_the_checked_file(ensemble: Ensemble, exported) -> None:
    _, trained, x = ensemble
    onnx = export_onnx_bytes(trained.module, trained.input_shape, x)
    session = ort.InferenceSession(onnx, providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(["spread"], {"x": x})[0], trained.predict(x)[1], atol=1e-5)
    _, module, _ = exported
    single = ort.InferenceSession(export_onnx_bytes(module, (19, 7, 7)), providers=["CPUExecutionProvider"])
    assert [o.name for o in single.get_outputs()] == ["score"]


def test_ensemble_card_names_its_spread_and_members(ensemble: Ensemble) -> None:
    path, _, _ = ensemble
    card = write_card(
        path,
        model_id="nb101-ensemble",
        space="nb101",
        dataset="cifar10",
        label="val_accuracy@108",
        variant="renas6",
        encoding="renas-full",
        encoding_version=1,
        input_shape=(19, 7, 7),
        training=TrainingInfo(cells=40, seed=0, epochs=2, data="toy", command="pytest"),
        metrics={},
        spread_output="spread",
        members=3,
    )
    read = ModelCard.model_validate_json(path.with_suffix(".json").read_text())
    assert read == card and (read.spread_output, read.members, read.output_name) == ("spread", 3, "score")
    kept = card_for(path.read_bytes(), **{**fields_of(card), "model_id": "kept"})
    assert (kept.onnx_file, kept.sha256, kept.members) == ("kept.onnx", card.sha256, 3)


def fields_of(card: ModelCard) -> dict:
    """``card_for``'s keyword arguments that rebuild ``card``."""
    return {
        "model_id": card.id, "space": card.space, "dataset": card.dataset, "label": card.label,
        "variant": card.variant, "encoding": card.encoding, "encoding_version": card.encoding_version,
        "input_shape": tuple(card.input_shape[1:]), "training": card.training, "metrics": card.metrics,
        "spread_output": card.spread_output, "members": card.members,
    }  # fmt: skip


def test_a_graph_network_is_exported_fused_and_still_computes_what_was_trained(tmp_path: Path) -> None:
    x = np.random.default_rng(2).random((30, 7, 8, 8), dtype=np.float32)
    x[:, 0] = x[:, 0] > 0.5  # channel 0 holds the adjacency
    trained = train_ensemble(x, x.sum(axis=(1, 2, 3)), variant="gnn-pair", members=2, epochs=2, seed=0)
    fast = for_inference(trained.module)
    assert not any(isinstance(m, _GraphLayer) for m in fast.modules())
    assert sum(isinstance(m, _GraphLayer) for m in trained.module.modules()) == 6  # the original is kept
    with torch.no_grad():
        for got, want in zip(fast(torch.from_numpy(x)), trained.module(torch.from_numpy(x)), strict=True):
            np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-5)
    path = tmp_path / "gnn.onnx"
    assert export_onnx(trained.module, trained.input_shape, path, x) <= 1e-5
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    matmuls = [node for node in onnx.load(str(path)).graph.node if node.op_type == "MatMul"]
    assert len(matmuls) == 2 * (1 + 3 * 3)  # per member the embedding, then per layer A^T h, A h, one map
    np.testing.assert_allclose(session.run(["score"], {"x": x})[0], trained.predict(x)[0], atol=1e-5)
