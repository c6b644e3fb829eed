"""ONNX Runtime sessions on the best execution provider this machine offers (CUDA, then CPU).

``onnxruntime-gpu`` lists CUDA as available even on hosts without a GPU or its libraries; a session
asked for CUDA there logs two red error blocks and falls back to CPU. So the providers are probed
once per process, with ONNX Runtime's logger silenced around the probe, one line says what is in
use (and, when CUDA was asked for but is unusable, why), and every later session asks only for the
providers that worked.
"""

import ctypes.util
import logging
from collections.abc import Sequence
from pathlib import Path

import onnxruntime as ort

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"
_QUIET, _WARNING = 4, 2  # ONNX Runtime logger severities: fatal only; its default
log = logging.getLogger(__name__)
_working: dict[tuple[str, ...], list[str]] = {}  # providers asked for -> providers that started


def usable_providers(preferred: Sequence[str], available: Sequence[str]) -> list[str]:
    """The preferred providers this build offers, in preference order, always ending with CPU."""
    chosen = [p for p in preferred if p in available and p != CPU]
    return [*chosen, CPU]


def _options() -> ort.SessionOptions:
    options = ort.SessionOptions()
    # Idle ONNX Runtime threads spin by default, taking CPU from the event loop and request
    # handling between calls; a service would rather they sleep.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def _why_unusable(provider: str) -> str:
    if provider == CUDA and ctypes.util.find_library("cuda") is None:
        return "no NVIDIA driver on this host (libcuda not found)"
    if provider == CUDA:
        return "its CUDA 13 / cuDNN 9 libraries did not load"
    return "it did not start"


def _probe(model: Path | bytes, wanted: list[str]) -> ort.InferenceSession:
    """A session on ``model`` (a file or its bytes) opened with ONNX Runtime's logger silenced; logs
    the providers it got."""
    ort.set_default_logger_severity(_QUIET)
    try:
        session = ort.InferenceSession(_source(model), sess_options=_options(), providers=wanted)
    finally:
        ort.set_default_logger_severity(_WARNING)
    in_use = session.get_providers()
    unusable = [p for p in wanted if p not in in_use]
    reasons = "; ".join(f"{p} asked for but unusable: {_why_unusable(p)}" for p in unusable)
    log.info("ONNX Runtime providers in use: %s%s", ", ".join(in_use), f" ({reasons})" if reasons else "")
    return session


def _source(model: Path | bytes) -> str | bytes:
    return model if isinstance(model, bytes) else str(model)


def open_session(model: Path | bytes, preferred: Sequence[str]) -> ort.InferenceSession:
    """A session on ``model`` (an .onnx file or its bytes) on the preferred providers that work here
    (probed on the first model opened, whose probing session is the one returned); ``get_providers()``
    tells what is actually in use."""
    wanted = usable_providers(preferred, ort.get_available_providers())
    key = tuple(wanted)
    if key not in _working:
        session = _probe(model, wanted)
        _working[key] = session.get_providers()
        return session
    return ort.InferenceSession(_source(model), sess_options=_options(), providers=_working[key])
