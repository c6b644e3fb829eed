"""Time a study on the running service: a refit on 100 told NB-201 cells (its train job, queued to
finished), and asks of 10 while no refit runs (p50 / p99).

Starts the service like ``bench_service.py`` (a free loopback port, a temporary database, the models
in ``--models-dir``, one train worker), creates an NB-201 study, tells it 100 cells of the benchmark
table at once (cifar10_valid, from ``RENAS_DATA_DIR``), times the refit that tell queues, then times
``--asks`` sequential asks of 10 (each scores all unseen NB-201 networks with the study's ensemble).

    .venv/bin/python scripts/bench_study.py --models-dir models

Results go to docs/BENCHMARKS.md by hand, with this command.
"""

import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import httpx
import numpy as np
import typer
from bench_service import running_server

from service.spaces import get_space
from trainer.tables import NB201_FILE, data_path, load_nb201

app = typer.Typer(add_completion=False)


@app.command()
def main(
    models_dir: Annotated[Path, typer.Option(help="the models the service loads")] = Path("models"),
    told: Annotated[int, typer.Option(min=8, help="cells told before the timed refit")] = 100,
    asks: Annotated[int, typer.Option(min=1, help="asks of 10 timed after it")] = 20,
) -> None:
    space = get_space("nb201")
    rows = load_nb201(data_path(NB201_FILE))
    order = np.random.default_rng(0).permutation(len(rows))
    cells = [space.parse({"arch": rows[i].arch_str}) for i in order]
    first: dict[str, int] = {}  # one row per network: relabelled copies have other table values
    for i, identity in zip(order, space.identities(cells), strict=True):
        first.setdefault(identity, int(i))
    picked = list(first.values())[:told]
    results = [
        {"cell": {"arch": rows[i].arch_str}, "value": rows[i].metrics["cifar10_valid"]} for i in picked
    ]
    with (
        tempfile.TemporaryDirectory() as folder,
        running_server(models_dir, Path(folder) / "bench.db", search_workers=1) as (base_url, _),
    ):
        client = httpx.Client(base_url=base_url, timeout=600)
        study = client.post("/studies", json={"space": space.name, "seed": 0}).json()["id"]
        client.post(f"/studies/{study}/tell", json={"results": results}).raise_for_status()
        job = client.get(f"/studies/{study}").json()["refit"]["job"]
        while (state := client.get(f"/train/{job}").json())["status"] not in {"succeeded", "failed"}:
            time.sleep(0.2)
        if state["status"] != "succeeded":
            raise RuntimeError(f"the refit failed: {state['error']}")
        queued, started, finished = (
            datetime.fromisoformat(state[k]) for k in ("created_at", "started_at", "finished_at")
        )
        typer.echo(
            f"refit on {state['result']['cells']} told cells: "
            f"{(finished - started).total_seconds():.1f} s running "
            f"({(finished - queued).total_seconds():.1f} s from the tell), "
            f"out-of-bag tau {state['result']['oob_kendall_tau']:.3f}"
        )
        seconds = []
        for _ in range(asks):
            start = time.perf_counter()
            answer = client.post(f"/studies/{study}/ask", json={"n": 10})
            seconds.append(time.perf_counter() - start)
            answer.raise_for_status()
            assert answer.json()["predictor"] is not None
        p50, p99 = np.percentile(seconds, [50, 99])
        typer.echo(
            f"ask of 10 (no refit running), {asks} asks: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
        )


if __name__ == "__main__":
    app()
