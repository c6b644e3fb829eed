"""ONNX export: dynamic batch axis, torch/onnxruntime parity, failure on a mismatch, a valid card."""

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from service.inference.card import ModelCard, TrainingInfo, sha256_file
from trainer.export import ParityError, check_parity, export_onnx, write_card
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
