"""/rank p50 with 1,000 *different* NB-101 cells in every request, so no module hash is cached.

Complements scripts/bench_service.py (whose server it uses), whose /rank requests repeat the same
cells. 30 bounded sequential requests over loopback, temporary SQLite file.
"""

import statistics
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from bench_service import running_server

from service.core.config import get_settings
from service.spaces import get_space

REQUESTS, CELLS = 30, 1000


def main() -> None:
    space = get_space("nb101")
    batches = [
        [space.to_json(c) for c in space.sample(np.random.default_rng(seed), CELLS)]
        for seed in range(1, REQUESTS + 1)
    ]
    database = Path(tempfile.mkdtemp()) / "bench.db"
    with running_server(get_settings().models_dir, database, search_workers=1) as (url, _pid):
        times = []
        with httpx.Client(timeout=60) as client:
            for cells in batches:
                start = time.perf_counter()
                response = client.post(f"{url}/rank", json={"space": "nb101", "cells": cells})
                times.append((time.perf_counter() - start) * 1e3)
                response.raise_for_status()
    p50, worst = statistics.median(times), max(times)
    print(f"fresh cells: p50 {p50:.1f} ms, max {worst:.1f} ms over {REQUESTS} requests")


if __name__ == "__main__":
    main()
