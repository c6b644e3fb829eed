"""ONNX Runtime sessions on the best execution provider this machine offers (CUDA, then CPU)."""

from collections.abc import Sequence
from pathlib import Path

import onnxruntime as ort

CPU = "CPUExecutionProvider"


def usable_providers(preferred: Sequence[str], available: Sequence[str]) -> list[str]:
    """The preferred providers this build offers, in preference order, always ending with CPU."""
    chosen = [p for p in preferred if p in available and p != CPU]
    return [*chosen, CPU]


def open_session(path: Path, preferred: Sequence[str]) -> ort.InferenceSession:
    """A session on the first preferred provider that starts; ONNX Runtime itself falls back to CPU
    when, say, CUDA is compiled in but no GPU or driver is present, so ``get_providers()`` tells
    what is actually in use."""
    providers = usable_providers(preferred, ort.get_available_providers())
    options = ort.SessionOptions()
    # Idle ONNX Runtime threads spin by default, taking CPU from the event loop and request
    # handling between calls; a service would rather they sleep.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), sess_options=options, providers=providers)
