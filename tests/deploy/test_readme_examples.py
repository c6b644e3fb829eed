"""The README's examples, run as pasted: curl against a live `renas-serve` on the shipped models,
and the train-then-serve recipe."""

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import BIN, answers_ready, free_port, running

from service.inference.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
CURL_BLOCKS = [b for b in BLOCKS if "curl" in b and "docker" not in b]
TRAIN_BLOCK = next(b for b in BLOCKS if "renas-train train" in b)
EXAMPLES = ["predict", "rank", "search-nb201", "search-nb101", "study"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    env = {
        **os.environ,
        "RENAS_PORT": str(port),
        "RENAS_MODELS_DIR": str(ROOT / "models"),
        "RENAS_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'renas.db'}",
    }
    env.pop("RENAS_API_KEY", None)

    with running(env, lambda: answers_ready(f"http://127.0.0.1:{port}")):
        yield port


def test_readme_has_the_examples() -> None:
    assert len(CURL_BLOCKS) == len(EXAMPLES)


@pytest.mark.parametrize("block", CURL_BLOCKS, ids=EXAMPLES)
def test_curl_example_works_as_pasted(block: str, server: int) -> None:
    script = "set -euo pipefail\n" + block.replace("localhost:8000", f"localhost:{server}")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout.strip().splitlines()[-1])
    if "predictions" in body:
        assert body["predictions"][0]["hash"] and body["predictions"][0]["params"] > 0
    elif "counts" in body:  # the study, after one value, one failure and one unasked measurement
        assert body["counts"] == {"asked": 3, "told": 2, "failed": 1, "pending": 1}
        assert body["best"]["value"] == 71.3 and [p["best"] for p in body["history"]] == [71.3, 71.3]
    elif "ranking" in body:
        assert body["model"]["dataset"] == "cifar100"
        assert [r["duplicate_of"] for r in body["ranking"]].count(None) == 2
    else:
        assert body["status"] == "succeeded", body
        assert body["result"]["top"]
        if body["space"] == "nb101":
            assert all(c["params"] <= 3_000_000 for c in body["result"]["top"])


def test_train_and_serve_recipe(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    script = "set -euo pipefail\n" + TRAIN_BLOCK.replace(".venv/bin/", f"{BIN}/").replace(
        "--variant renas6",
        "--variant renas6 --epochs 20",  # the recipe as written, fewer epochs for CI
    )
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    registry = load_registry(tmp_path / "models", ["CPUExecutionProvider"])
    assert registry.models["nb201-renas6-mine"].card.training.cells == 90
