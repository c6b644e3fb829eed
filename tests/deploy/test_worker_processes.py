"""The embedded deployment's worker processes die with their server: a `kill -9` of `renas-serve`
leaves no worker running the dead server's queue."""

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from live_server import BIN, answers_ready, free_port

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> list[int]:
    listed = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line) for line in listed.stdout.split()]


def alive(pid: int) -> bool:
    state = subprocess.run(
        ["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True
    ).stdout.strip()
    return bool(state) and not state.startswith("Z")


def test_workers_exit_when_their_server_is_killed(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "RENAS_PORT": str(port),
        "RENAS_MODELS_DIR": str(ROOT / "models"),
        "RENAS_DATABASE_URL": f"sqlite:///{tmp_path / 'renas.db'}",
        "RENAS_SEARCH_WORKERS": "2",
    }
    env.pop("RENAS_API_KEY", None)
    server = subprocess.Popen(
        [BIN / "renas-serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while len(children(server.pid)) < 2 or not answers_ready(f"http://127.0.0.1:{port}"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("renas-serve did not start its workers")
            time.sleep(0.3)
        endless = {
            "space": "nb101",
            "strategy": "evolution",
            "params": {"population": 8, "generations": 10_000},
        }
        httpx.post(f"http://127.0.0.1:{port}/search", json=endless)  # one worker busy, one idle
        workers = children(server.pid)
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if alive(pid)], "workers outlived their server"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
