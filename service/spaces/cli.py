"""``renas-enumerate``: offline commands that list whole cell spaces.

``renas-enumerate nb101 --out cells.jsonl.gz`` writes every NAS-Bench-101 cell, one per
isomorphism class, as JSON lines ``{"hash", "matrix", "ops"}`` (the benchmark's module hash and the
canonical member, which is the member the benchmark stored), and reports the count and wall time.
``renas-enumerate nb101-hash-table`` writes the service's table of every class's module hash.
"""

import gzip
import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from service.core.config import get_settings
from service.spaces.nb101 import hash_table
from service.spaces.nb101.cell import MAX_VERTICES, MIN_VERTICES
from service.spaces.nb101.enumeration import UNIQUE_CELLS_UP_TO, enumerate_cells
from service.spaces.nb101.space import NB101_SPACE

app = typer.Typer(help="Enumerate whole cell spaces (offline).", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def main() -> None:
    """Offline enumeration commands."""


@app.command()
def nb101(
    out: Annotated[Path, typer.Option(help="output file (JSON lines, gzip)")],
    max_vertices: Annotated[
        int, typer.Option(min=MIN_VERTICES, max=MAX_VERTICES, help="only cells with up to this many vertices")
    ] = MAX_VERTICES,
) -> None:
    """Write all 423,624 NAS-Bench-101 cells (hash, matrix, ops) to OUT."""
    expected = UNIQUE_CELLS_UP_TO[max_vertices]
    start = time.perf_counter()
    hashes: set[str] = set()
    count = 0
    columns = (TextColumn("nb101"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with gzip.open(out, "wt") as f, Progress(*columns, console=console) as progress:
        task = progress.add_task("cells", total=expected)
        for cell in enumerate_cells(max_vertices):
            row = {"hash": NB101_SPACE.identity(cell), **NB101_SPACE.to_json(cell)}
            hashes.add(row["hash"])
            f.write(json.dumps(row, separators=(",", ":")) + "\n")
            count += 1
            if count % 1000 == 0:
                progress.update(task, completed=count)
        progress.update(task, completed=count)
    seconds = time.perf_counter() - start
    console.print(
        f"wrote {count:,} cells ({len(hashes):,} distinct hashes) to {out} in {seconds:.1f} s", soft_wrap=True
    )
    if count != expected or len(hashes) != count:
        console.print(f"[red]expected {expected:,} cells with distinct hashes[/red]")
        raise typer.Exit(1)


@app.command("nb101-hash-table")
def nb101_hash_table(
    out: Annotated[
        Path | None, typer.Option(help="table file (.npy); default: the service's RENAS_NB101_HASH_TABLE")
    ] = None,
    max_vertices: Annotated[
        int,
        typer.Option(min=MIN_VERTICES, max=MAX_VERTICES, help="only classes with up to this many vertices"),
    ] = MAX_VERTICES,
) -> None:
    """Write the module hash of every NAS-Bench-101 class, the table the service looks identities up in.

    The service builds it by itself at its first start; this builds it ahead (e.g. in an image).
    """
    path = out or get_settings().nb101_hash_table
    if path is None:
        raise typer.BadParameter("no --out given and RENAS_NB101_HASH_TABLE is blank")
    start = time.perf_counter()
    with console.status(f"hashing {UNIQUE_CELLS_UP_TO[max_vertices]:,} classes"):
        hash_table.save(hash_table.build(max_vertices), path)
    seconds = time.perf_counter() - start
    console.print(
        f"wrote {path} ({UNIQUE_CELLS_UP_TO[max_vertices]:,} classes) in {seconds:.1f} s", soft_wrap=True
    )
