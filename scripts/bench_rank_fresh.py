"""/rank p50 with 1,000 *different* NB-101 cells in every request, so no module hash is cached.

Complements scripts/bench_service.py (whose server it uses), whose /rank requests repeat the same
cells. 30 bounded sequential requests over loopback, temporary SQLite file. The server looks module
hashes up in the NB101 hash table (RENAS_NB101_HASH_TABLE, built first if missing);
``--no-hash-table`` makes it hash every cell instead; ``--model`` ranks with that model instead of the
NB-101 default (an ensemble's spread comes back too).

    .venv/bin/python scripts/bench_rank_fresh.py [--no-hash-table] [--model ID]
"""

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated

import httpx
import numpy as np
import typer
from bench_service import running_server

from service.core.config import get_settings
from service.spaces import get_space

REQUESTS, CELLS = 30, 1000


def main(
    hash_table: Annotated[bool, typer.Option(help="serve with the NB101 hash table (the default)")] = True,
    model: Annotated[
        str | None, typer.Option(help="a model id of the models folder; default: NB-101's")
    ] = None,
) -> None:
    if not hash_table:
        os.environ["RENAS_NB101_HASH_TABLE"] = ""  # read by running_server and the server it starts
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
                body = {"space": "nb101", "cells": cells, **({"model": model} if model else {})}
                response = client.post(f"{url}/rank", json=body)
                times.append((time.perf_counter() - start) * 1e3)
                response.raise_for_status()
    p50, worst = statistics.median(times), max(times)
    table = "with" if hash_table else "without"
    print(
        f"fresh cells, {table} the hash table, model {model or 'the default'}: "
        f"p50 {p50:.1f} ms, max {worst:.1f} ms over {REQUESTS} requests"
    )


if __name__ == "__main__":
    typer.run(main)
