"""``renas-db``: the operator's view of the schema (the service also upgrades at every start-up)."""

from typing import Annotated

import typer

from service import migrations
from service.core.config import get_settings

app = typer.Typer(
    help="The service database's schema: upgrade it, or say where it stands.", no_args_is_help=True
)
DatabaseUrl = Annotated[
    str | None, typer.Option(help="SQLAlchemy URL; default: RENAS_DATABASE_URL or the embedded SQLite file")
]


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
    database_url: DatabaseUrl = None,
) -> None:
    """Bring the database to the newest schema (or to REVISION), without losing a job."""
    url = database_url or get_settings().database_url
    migrations.upgrade(url, revision)
    typer.echo(f"database at revision {migrations.current(url)}")


@app.command()
def current(database_url: DatabaseUrl = None) -> None:
    """Print the database's revision and whether it is the newest."""
    url = database_url or get_settings().database_url
    revision = migrations.current(url)
    newest = migrations.head()
    state = "up to date" if revision == newest else f"behind head {newest}: run `renas-db upgrade`"
    typer.echo(f"{revision or 'no revision (empty, or written before migrations)'} ({state})")
