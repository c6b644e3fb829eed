"""Providers are probed once, quietly: one log line says what is in use, ONNX Runtime prints nothing."""

import logging
from pathlib import Path

import pytest

from service.inference import session

PREFERRED = ["CUDAExecutionProvider", "CPUExecutionProvider"]


def test_one_quiet_probe_and_one_line(
    models_dir: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], caplog
) -> None:
    monkeypatch.setattr(session, "_working", {})
    onnx_files = sorted(models_dir.glob("*.onnx"))[:2]
    with caplog.at_level(logging.INFO, logger=session.__name__):
        opened = [session.open_session(path, PREFERRED) for path in onnx_files]
    lines = [r.getMessage() for r in caplog.records if r.name == session.__name__]
    assert len(lines) == 1 and lines[0].startswith("ONNX Runtime providers in use: ")
    in_use = opened[0].get_providers()
    assert all(s.get_providers() == in_use for s in opened) and in_use[-1] == "CPUExecutionProvider"
    if "CUDAExecutionProvider" not in in_use:  # a CPU-only host: the reason is named, nothing red
        assert "CUDAExecutionProvider asked for but unusable: " in lines[0]
    assert "[E:onnxruntime" not in capfd.readouterr().err


def test_cpu_only_asks_for_nothing_else(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "_working", {})
    path = next(models_dir.glob("*.onnx"))
    assert session.open_session(path, ["CPUExecutionProvider"]).get_providers() == ["CPUExecutionProvider"]
