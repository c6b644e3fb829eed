"""Command-line options every ``renas-train`` command group shares (typer)."""

from pathlib import Path
from typing import Annotated

import typer

from trainer.variants import get_variant


def known_variant(name: str) -> str:
    """A one-line error and exit code 2 for an unknown variant, before any data is read."""
    try:
        return get_variant(name).name
    except KeyError as error:
        raise typer.BadParameter(str(error.args[0])) from None


DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        help="folder with nb101_20k.jsonl.gz / nb201.csv (default: RENAS_DATA_DIR or ../shared/data)"
    ),
]
