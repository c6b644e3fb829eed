"""``renas-train``: train ReNAS predictors on the benchmark tables, export them to ONNX, evaluate them.

Each command is a thin wrapper over ``trainer.pipeline``; add new commands (or sub-apps via
``app.add_typer``) at the bottom of this file.
"""

import logging
import shlex
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import torch
import typer

from service.spaces import SPACES
from trainer.checkpoint import load_checkpoint, save_checkpoint
from trainer.data import load_labelled
from trainer.ensemble import SEED_STRIDE
from trainer.options import DataDirOpt, known_variant
from trainer.pipeline import evaluate_onnx, export_with_card, fit_on_all, fit_on_split
from trainer.search_eval.commands import app as search_eval_app
from trainer.study_eval.commands import app as study_eval_app
from trainer.table1.commands import app as table1_app
from trainer.train import TrainedModel
from trainer.variants import VARIANTS, get_variant

app = typer.Typer(
    help=(
        "Train ReNAS architecture-ranking predictors on NAS-Bench-101/201 tables (read from "
        "RENAS_DATA_DIR, default ../shared/data), export them as ONNX + model card for the service, "
        "and measure their Kendall tau."
    ),
    no_args_is_help=True,
    add_completion=False,
)


SpaceName = StrEnum("SpaceName", {name: name for name in SPACES})  # typer's choices
DATASET_CHOICES = "; ".join(f"{name}: {' | '.join(entry.datasets)}" for name, entry in SPACES.items())


class Subset(StrEnum):
    heldout = "heldout"
    all = "all"


VariantOpt = Annotated[
    str,
    typer.Option(
        callback=known_variant,
        help=(
            "renas1..6 = {type matrix, full tensor} x {MSE, pairwise L1, L1 + 0.5 triplet L2} on LeNet-5 "
            "(odd: type matrix, even: full tensor); mlp-pair, gnn-pair = wider networks on the full "
            "tensor with the pairwise loss; path-pair adds path sums over the DAG; -aux also learns the "
            "cheaper budgets' accuracies; -sb small batches (better below about 1,000 cells). The default "
            f"is the shipped NB-101 model's (docs/RESULTS.md). One of: {', '.join(VARIANTS)}."
        ),
    ),
]


def _command(ctx: typer.Context) -> str:
    """The command with every option spelled out (defaults included), so the card records it exactly."""
    words = ["renas-train", ctx.info_name or "train"]
    for name, value in ctx.params.items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            words.append(flag if value else "--no-" + flag[2:])
        elif value is not None and name != "data_dir":
            words += [flag, str(value.value if isinstance(value, StrEnum) else value)]
    return shlex.join(words)


def _train_size(text: str) -> float | int | None:
    """None for "all", an int count, or a fraction in (0, 1)."""
    if text == "all":
        return None
    value = float(text)
    return int(value) if value >= 1 and value.is_integer() else value


@app.callback()
def _setup(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log progress details")] = False,
    threads: Annotated[
        int, typer.Option(min=1, help="torch CPU threads; 1 is fastest on a busy shared machine")
    ] = 1,
) -> None:
    torch.set_num_threads(threads)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )


@app.command()
def train(
    ctx: typer.Context,
    space: Annotated[SpaceName, typer.Option(help="cell space")] = SpaceName["nb101"],
    dataset: Annotated[str, typer.Option(help=f"picks the label; {DATASET_CHOICES}")] = "cifar10",
    train_size: Annotated[
        str,
        typer.Option(
            help=(
                "training cells: a count (424), a fraction (0.1) or 'all'; the rest are held out to "
                "measure tau. With 'all', tau is first measured on a --check-fraction split."
            )
        ),
    ] = "424",
    check_fraction: Annotated[
        float, typer.Option(help="with --train-size all: train fraction of the split that measures tau")
    ] = 0.9,
    variant: VariantOpt = "path-pair-aux",
    epochs: Annotated[
        int, typer.Option(min=1, help="passes over the training cells (Adam, batch 1024)")
    ] = 200,
    seed: Annotated[int, typer.Option(help="seeds the split and the training")] = 0,
    members: Annotated[
        int,
        typer.Option(
            min=1,
            max=SEED_STRIDE,
            help=(
                "K > 1: an ensemble of K predictors on bootstrap resamples (member i seeded seed*1000+i) "
                "whose scores come with the members' spread"
            ),
        ),
    ] = 1,
    bootstrap: Annotated[
        bool,
        typer.Option(
            help="with K > 1: each member on a bootstrap resample; --no-bootstrap: every member on every "
            "cell, members differing by seed (Table 1's -x5 ensembles, which rank better)"
        ),
    ] = True,
    out_dir: Annotated[Path, typer.Option(help="where <model-id>.onnx and .json are written")] = Path("runs"),
    model_id: Annotated[
        str | None,
        typer.Option(help="default: <space>-<variant>-<dataset>-<size>-s<seed>, and -k<members> for K > 1"),
    ] = None,
    default: Annotated[
        bool, typer.Option(help="mark the card as the default model of its space+dataset")
    ] = False,
    checkpoint: Annotated[
        Path | None, typer.Option(help="also save a torch checkpoint here (for export; single models only)")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Train a predictor (or an ensemble), report its Kendall tau on held-out cells, export ONNX + model card.

    Example: renas-train train --space nb201 --dataset cifar100 --train-size 90 --variant gnn-pair

    It writes runs/<model-id>.onnx and .json; copy both into models/ for the service to serve them.
    """
    if checkpoint is not None and members > 1:
        raise typer.BadParameter(
            "checkpoints hold single models; drop it or use --members 1", param_hint="--checkpoint"
        )
    if get_variant(variant).members > 1:
        raise typer.BadParameter(
            f"{variant} is a Table 1 method (a mean of seeds); to serve an ensemble, train its member "
            "variant with --members K",
            param_hint="--variant",
        )
    data = load_labelled(space.value, dataset, data_dir)
    size = _train_size(train_size)
    members_tag = f"-k{members}" if members > 1 else ""
    model_id = model_id or f"{space.value}-{variant}-{dataset}-{train_size}-s{seed}{members_tag}"
    fit = fit_on_split(
        data,
        variant=variant,
        train=size or check_fraction,
        seed=seed,
        epochs=epochs,
        members=members,
        bootstrap=bootstrap,
        progress=True,
    )
    metrics, model = dict(fit.metrics), fit.model
    typer.echo(f"Kendall tau on {int(metrics['heldout_cells'])} held-out cells: {metrics['kendall_tau']:.4f}")
    if size is None:
        metrics["check_train_fraction"] = check_fraction
        model = fit_on_all(
            data,
            variant=variant,
            seed=seed,
            epochs=epochs,
            members=members,
            bootstrap=bootstrap,
            progress=True,
        )
    card = export_with_card(
        model,
        data,
        out_dir,
        model_id=model_id,
        metrics=metrics,
        command=_command(ctx),
        sample=fit.sample,
        default=default,
    )
    if checkpoint is not None and isinstance(model, TrainedModel):  # refused for ensembles above
        save_checkpoint(checkpoint, model, card.model_dump(mode="json"))
    typer.echo(f"wrote {out_dir / card.onnx_file} and {card.id}.json")


@app.command()
def evaluate(
    model: Annotated[Path, typer.Argument(help="an exported .onnx with its .json card beside it")],
    subset: Annotated[
        Subset, typer.Option(help="heldout: cells outside the model's training split; all: every cell")
    ] = Subset.heldout,
    data_dir: DataDirOpt = None,
) -> None:
    """Kendall tau of an exported model on its benchmark table (label and encoding from the card)."""
    tau, count = evaluate_onnx(model, subset=subset.value, data_dir=data_dir)
    typer.echo(f"{model.name}: Kendall tau {tau:.4f} on {count} cells ({subset.value})")


@app.command()
def export(
    checkpoint: Annotated[Path, typer.Argument(help="a checkpoint written by 'train --checkpoint'")],
    out_dir: Annotated[Path, typer.Option(help="where <model-id>.onnx and .json are written")] = Path("runs"),
    model_id: Annotated[str | None, typer.Option(help="default: the id recorded at training")] = None,
    default: Annotated[bool | None, typer.Option(help="override the card's default flag")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Export a saved checkpoint again as ONNX + card (parity-checked), keeping its recorded metrics."""
    model, card = load_checkpoint(checkpoint)
    data = load_labelled(card["space"], card["dataset"], data_dir)
    written = export_with_card(
        model,
        data,
        out_dir,
        model_id=model_id or card["id"],
        metrics=card["metrics"],
        command=card["training"]["command"],
        sample=data.encode(model.variant.encoding, np.arange(min(1024, len(data.cells)))),
        default=card["default"] if default is None else default,
    )
    typer.echo(f"wrote {out_dir / written.onnx_file} and {written.id}.json")


app.add_typer(search_eval_app, name="search-eval")
app.add_typer(table1_app, name="table1")
app.add_typer(study_eval_app, name="study-eval")
