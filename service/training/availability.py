"""Whether this process can start a train worker: training imports torch, which only the ``train``
extra installs; the service itself never imports it (only looks for it)."""

import importlib.util

INSTALL = "pip install torch==2.13.0 -e '.[train]'"
TRAIN_WORKER = "renas-worker --queue train"


def torch_installed() -> bool:
    return importlib.util.find_spec("torch") is not None


def unavailable_reason(train_workers: int) -> str | None:
    """Why this process runs no train worker, or None when it does."""
    if train_workers == 0:
        return "training is off in this process (RENAS_TRAIN_WORKERS=0); refits wait for a train worker"
    if not torch_installed():
        return f"training needs the train extra: {INSTALL}; refits wait until a train worker runs"
    return None


def deployment_reason(live_train_workers: int) -> str | None:
    """Scaled deployment, no train worker in this process: why nothing trains, or None when a train
    worker elsewhere is alive."""
    if live_train_workers > 0:
        return None
    return (
        f"no train worker is running: start one with `{TRAIN_WORKER}` (needs {INSTALL}); refits wait for it"
    )
