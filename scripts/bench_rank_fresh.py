"""/rank p50 with 1,000 *different* NB-101 cells in every request, so no module hash is cached.

Complements scripts/bench_service.py, whose /rank requests repeat the same cells. Starts its own
`renas-serve` on a free loopback port over a temporary SQLite file; 30 bounded sequential requests.
"""

import os
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from service.spaces import get_space

REQUESTS, CELLS = 30, 1000
BIN = Path(__file__).resolve().parents[1] / ".venv" / "bin"


def main() -> None:
    space = get_space("nb101")
    batches = [
        [space.to_json(c) for c in space.sample(np.random.default_rng(seed), CELLS)]
        for seed in range(1, REQUESTS + 1)
    ]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "RENAS_PORT": str(port),
        "RENAS_PROVIDERS": '["CPUExecutionProvider"]',
        "RENAS_DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/bench.db",
        "RENAS_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen([BIN / "renas-serve"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        times = []
        with httpx.Client(timeout=60) as client:
            for cells in batches:
                start = time.perf_counter()
                response = client.post(f"{url}/rank", json={"space": "nb101", "cells": cells})
                times.append((time.perf_counter() - start) * 1e3)
                response.raise_for_status()
        p50, worst = statistics.median(times), max(times)
        print(f"fresh cells: p50 {p50:.1f} ms, max {worst:.1f} ms over {REQUESTS} requests")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
