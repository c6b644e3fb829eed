"""Loading and picking models: sha256 and encoding checks, defaults, providers."""

import json
import shutil
from pathlib import Path

import pytest
from tiny_models import write_model

from service.inference.registry import ModelNotFoundError, card_path_of, load_registry
from service.inference.session import usable_providers

CPU = ["CPUExecutionProvider"]


def test_loads_every_model_and_picks_defaults(models_dir: Path) -> None:
    registry = load_registry(models_dir, CPU)
    assert sorted(registry.models) == ["nb101-tiny", "nb201-a-other", "nb201-b-default", "nb201-c100"]
    assert registry.pick("nb201").card.id == "nb201-b-default"
    assert registry.pick("nb201", dataset="cifar10").card.id == "nb201-b-default"
    assert registry.pick("nb201", dataset="cifar100").card.id == "nb201-c100"
    assert registry.pick("nb101").card.id == "nb101-tiny"  # no default: the first
    with pytest.raises(ModelNotFoundError, match="no model loaded for nb101 / cifar100"):
        registry.pick("nb101", dataset="cifar100")


def test_rejects_what_it_cannot_serve_correctly(models_dir: Path, tmp_path: Path) -> None:
    for name in ("nb201-a-other", "nb201-c100", "nb101-tiny"):
        shutil.copy(models_dir / f"{name}.json", tmp_path)
        shutil.copy(models_dir / f"{name}.onnx", tmp_path)
    (tmp_path / "nb201-a-other.onnx").unlink()
    card = json.loads((tmp_path / "nb201-c100.json").read_text())
    (tmp_path / "nb201-c100.json").write_text(json.dumps({**card, "encoding_version": 999}))
    card = json.loads((tmp_path / "nb101-tiny.json").read_text())
    (tmp_path / "copy.json").write_text(json.dumps(card))  # same id twice
    write_model(tmp_path, "nb201-wrong-shape", "nb201", dataset="cifar10")
    card = json.loads((tmp_path / "nb201-wrong-shape.json").read_text())
    (tmp_path / "nb201-wrong-shape.json").write_text(json.dumps({**card, "input_shape": [None, 1, 2, 3]}))

    registry = load_registry(tmp_path, CPU)
    assert sorted(registry.models) == ["nb101-tiny"]
    reasons = {r.file: r.reason for r in registry.rejected}
    assert reasons["nb201-a-other.json"] == "nb201-a-other.onnx is missing"
    assert "encoding version 999" in reasons["nb201-c100.json"]
    assert reasons["nb101-tiny.json"] == "duplicate model id 'nb101-tiny'"  # copy.json sorts first
    assert "does not fit encoding" in reasons["nb201-wrong-shape.json"]


def test_usable_providers_keep_preference_order_and_end_with_cpu() -> None:
    available = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]
    assert usable_providers(["CUDAExecutionProvider", "CPUExecutionProvider"], available) == [
        "CUDAExecutionProvider", "CPUExecutionProvider",
    ]  # fmt: skip
    assert usable_providers(["ROCMExecutionProvider"], available) == ["CPUExecutionProvider"]
    assert usable_providers(["CPUExecutionProvider", "CUDAExecutionProvider"], available) == [
        "CUDAExecutionProvider", "CPUExecutionProvider",
    ]  # fmt: skip


def test_card_path_of_finds_a_model_by_id(models_dir: Path) -> None:
    assert card_path_of(models_dir, "nb201-c100") == models_dir / "nb201-c100.json"
    with pytest.raises(ModelNotFoundError, match="unknown model 'nope'"):
        card_path_of(models_dir, "nope")
