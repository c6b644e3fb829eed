"""Time the searches on the real spaces with an ONNX predictor on onnxruntime's CPUExecutionProvider.

Measures (best of ``--repeats``, everything included: sampling, hashing, encoding, inference):
evolutionary search ``generations`` x ``population`` on nb101, and exhaustive search over nb201,
the latter also with a free predictor (a tensor sum) to separate the search's time from inference.

    .venv/bin/python scripts/bench_search.py --nb101-model models/X.onnx --nb201-model models/Y.onnx

A model's card (the .json beside it) names the encoding it reads. Without ``--nbXXX-model`` the
script exports ReNAS's LeNet with random weights for the space's default encoding (timing
only; its scores mean nothing). Results go to docs/benchmarks/search.md by hand, with this command.
"""

import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter, process_time
from typing import Annotated

import numpy as np
import onnxruntime as ort
import typer

from service.inference.card import ModelCard
from service.search import SearchResult, run_search
from service.search.types import Cell
from service.spaces import get_space
from service.spaces.base import Space

log = logging.getLogger("bench_search")
app = typer.Typer(add_completion=False)


Predict = Callable[[np.ndarray], np.ndarray]


@dataclass
class TimedScorer:
    """The service's scorer (encode, then predict) with the seconds spent in each half counted."""

    space: Space
    predict: Predict
    encoding: str
    encode_seconds: float = 0.0
    predict_seconds: float = 0.0
    calls: int = 0

    def __call__(self, cells: Sequence[Cell]) -> np.ndarray:
        start = perf_counter()
        x = self.space.encode(cells, self.encoding)
        middle = perf_counter()
        scores = self.predict(x)
        self.encode_seconds += middle - start
        self.predict_seconds += perf_counter() - middle
        self.calls += 1
        return scores.reshape(len(cells))


def tensor_sum(x: np.ndarray) -> np.ndarray:
    """A predictor that costs next to nothing: isolates the search's and the encoding's own time."""
    return x.reshape(len(x), -1).sum(axis=1)


def export_random_lenet(shape: tuple[int, ...], path: Path) -> None:
    """ReNAS's LeNet (widths 38/128/120/84, as trainer/model.py) with random weights, for any (C, H, W)."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    channels, height, width = shape
    model = nn.Sequential(
        nn.Conv2d(channels, 38, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2, stride=1),
        nn.Conv2d(38, 128, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(128 * (height - 3) * (width - 3), 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 1),
    ).eval()
    torch.onnx.export(
        model,
        (torch.zeros((2, *shape)),),
        str(path),
        input_names=["x"],
        output_names=["score"],
        dynamic_shapes={"input": {0: torch.export.Dim("batch")}},
        external_data=False,
    )


def load_predictor(space: Space, model: Path | None, workdir: Path) -> tuple[Predict, str, str]:
    """(predict, encoding, description) for ``model``, or for a random-weight LeNet without one."""
    if model is None:
        model = workdir / f"{space.name}-random-lenet.onnx"
        export_random_lenet(space.encodings[space.default_encoding], model)
        encoding, input_name, label = space.default_encoding, "x", "random-weight LeNet (torch export)"
    else:
        card = ModelCard.model_validate_json(model.with_suffix(".json").read_text())
        encoding, input_name, label = card.encoding, card.input_name, card.id
    options = ort.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # as the service does
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    return lambda x: session.run(None, {input_name: x})[0], encoding, f"{label}, encoding {encoding}"


def best_of(repeats: int, search: Callable[[TimedScorer], SearchResult], scorer: TimedScorer) -> None:
    """Logs the fastest of ``repeats`` runs: wall and CPU seconds of this process (the machine is shared)."""
    runs = []
    for _ in range(repeats):
        timed = TimedScorer(scorer.space, scorer.predict, scorer.encoding)
        wall, cpu = perf_counter(), process_time()
        result = search(timed)
        runs.append((perf_counter() - wall, process_time() - cpu, result, timed))
    wall, cpu, result, scorer = min(runs, key=lambda r: r[0])
    log.info(
        "best %.3f s wall (%.3f s CPU) of %s; evaluated %d cells in %d generations/batches, "
        "%d scorer calls (encode %.3f s, predict %.3f s); best score %.4f",
        wall,
        cpu,
        ", ".join(f"{r[0]:.3f}" for r in runs),
        result.evaluated,
        result.generations,
        scorer.calls,
        scorer.encode_seconds,
        scorer.predict_seconds,
        result.top[0].score,
    )


@app.command()
def main(
    nb101_model: Annotated[Path | None, typer.Option(help="nb101 .onnx (card beside it)")] = None,
    nb201_model: Annotated[Path | None, typer.Option(help="nb201 .onnx (card beside it)")] = None,
    repeats: Annotated[int, typer.Option(min=1)] = 3,
    generations: Annotated[int, typer.Option(min=1)] = 500,
    population: Annotated[int, typer.Option(min=2)] = 64,
    seed: int = 0,
) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log.info("onnxruntime %s, CPUExecutionProvider", ort.__version__)
    nb101, nb201 = get_space("nb101"), get_space("nb201")
    params = {"generations": generations, "population": population}

    def evolve(scorer: TimedScorer) -> SearchResult:
        return run_search("evolution", nb101, scorer, top_k=10, seed=seed, params=params)

    def traverse(scorer: TimedScorer) -> SearchResult:
        return run_search("exhaustive", nb201, scorer, top_k=10)

    with tempfile.TemporaryDirectory() as workdir:
        predict, encoding, label = load_predictor(nb101, nb101_model, Path(workdir))
        log.info("nb101 evolution %d x %d, %s", generations, population, label)
        best_of(repeats, evolve, TimedScorer(nb101, predict, encoding))

        predict, encoding, label = load_predictor(nb201, nb201_model, Path(workdir))
        log.info("nb201 exhaustive, %s", label)
        best_of(repeats, traverse, TimedScorer(nb201, predict, encoding))
        log.info("nb201 exhaustive, search and encoding only (predictor: sum of the tensor)")
        best_of(repeats, traverse, TimedScorer(nb201, tensor_sum, encoding))


if __name__ == "__main__":
    app()
