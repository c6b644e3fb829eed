"""Time a predictor's training and its whole-space scoring, per variant (best of ``--repeats``).

Per variant: training on ``--cells`` NB-101 cells (the first seed's Table 1 split; one torch thread;
an ensemble variant's members one after another), then its ONNX export, trained on ``--nb201-cells``
NB-201 cells, scoring all 15,625 NB-201 cells through the service's own loading and scoring
(encoding included, cells parsed beforehand; onnxruntime on the CPU with its default threads).

    .venv/bin/python scripts/bench_training.py

Results go to docs/BENCHMARKS.md by hand, with this command.
"""

import tempfile
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import torch
import typer

from service.inference.onnx_scoring import score_cells_with_spread
from service.inference.registry import load_model
from service.inference.session import CPU
from service.spaces import get_space
from trainer.data import LabelledCells, load_labelled, split
from trainer.ensemble import train_variant
from trainer.pipeline import Trained, export_with_card
from trainer.train import schedule_for
from trainer.variants import get_variant

app = typer.Typer(add_completion=False)


def train(data: LabelledCells, variant: str, cells: int) -> tuple[Trained, float, np.ndarray]:
    """(model, training seconds, its training tensors) on ``cells`` cells of Table 1's seed-0 split."""
    spec = get_variant(variant)
    index, _ = split(len(data.cells), cells, 0)
    x, y = data.encode(spec.encoding, index), data.y[index]
    epochs, _ = schedule_for(spec, len(x))
    start = time.perf_counter()
    model = train_variant(x, y, variant=variant, epochs=epochs, seed=0, aux=data.aux[index])
    return model, time.perf_counter() - start, x


@app.command()
def main(
    variants: Annotated[str, typer.Option(help="comma-separated")] = "gnn-pair,gnn-pair-sb,gnn-pair-sb-x5",
    cells: Annotated[int, typer.Option(min=2, help="NB-101 training cells")] = 424,
    nb201_cells: Annotated[int, typer.Option(min=2, help="NB-201 training cells of the scored model")] = 469,
    repeats: Annotated[int, typer.Option(min=1)] = 2,
) -> None:
    torch.set_num_threads(1)
    nb101, nb201 = load_labelled("nb101"), load_labelled("nb201")
    space = get_space("nb201")
    for variant in [v.strip() for v in variants.split(",")]:
        seconds = [train(nb101, variant, cells)[1] for _ in range(repeats)]
        model, _, x = train(nb201, variant, nb201_cells)
        with tempfile.TemporaryDirectory() as folder:
            card = export_with_card(
                model, nb201, Path(folder), model_id="bench", metrics={}, command="bench", sample=x[:256]
            )
            loaded = load_model(Path(folder) / "bench.json", [CPU])
            scoring = []
            for _ in range(repeats):
                start = time.perf_counter()
                score_cells_with_spread(loaded, space, nb201.cells)
                scoring.append(time.perf_counter() - start)
        typer.echo(
            f"{variant}: train on {cells} NB-101 cells {min(seconds):.1f} s "
            f"(runs {', '.join(f'{s:.1f}' for s in seconds)}); "
            f"score all {len(nb201.cells):,} NB-201 cells {min(scoring):.3f} s "
            f"({card.members} member{'s' if card.members > 1 else ''})"
        )


if __name__ == "__main__":
    app()
