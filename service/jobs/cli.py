"""``renas-worker``: one worker of the scaled deployment, on one queue, anywhere that reaches its
PostgreSQL database (the embedded deployment's workers are started by ``renas-serve`` itself)."""

from enum import StrEnum
from typing import Annotated

import typer

from service import migrations
from service.core import logs
from service.core.config import get_settings
from service.core.db import is_postgres
from service.jobs.kind import WorkerConfig
from service.training.availability import INSTALL, torch_installed

app = typer.Typer(help=__doc__, add_completion=False)


class Queue(StrEnum):
    search = "search"
    train = "train"


@app.command()
def work(
    queue: Annotated[Queue, typer.Option(help="search (no torch needed) or train (the train extra)")],
) -> None:
    """Run the jobs of QUEUE until SIGTERM or SIGINT; the running job then goes back to the queue."""
    settings = get_settings()
    if not is_postgres(settings.database_url):
        raise typer.BadParameter(
            "renas-worker needs the scaled deployment's database (RENAS_DATABASE_URL=postgresql+psycopg://...);"
            " on SQLite, renas-serve runs the workers itself",
            param_hint="RENAS_DATABASE_URL",
        )
    if queue is Queue.train and not torch_installed():
        raise typer.BadParameter(f"train workers need the train extra: {INSTALL}", param_hint="--queue")
    logs.configure(settings.log_level, settings.log_format)
    migrations.upgrade(settings.database_url)  # one process at a time; a no-op once at head
    from service.jobs import queue_worker  # procrastinate: the postgres extra

    queue_worker.serve(WorkerConfig.from_settings(settings), queue.value)
