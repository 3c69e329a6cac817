"""`tvaers db upgrade`: bring the home's database to the newest schema by hand.

Every command and the service do the same when they open the database; this one does only that,
and says what it did (before a deploy, or to check a database other processes use).
"""

from __future__ import annotations

from typing import Protocol

import click
import sqlalchemy as sa

from indexer import migrations
from indexer.build import Home


class HasHome(Protocol):
    @property
    def home(self) -> Home: ...


@click.group("db")
def db() -> None:
    """Databasens skema."""


@db.command("upgrade")
@click.pass_obj
def upgrade(app: HasHome) -> None:
    """Opgrader databasen til det nyeste skema (sker også ved hver start)."""
    home = app.home
    home.path.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(home.url)
    try:
        change = migrations.upgrade(engine)
    except sa.exc.OperationalError as error:
        raise click.ClickException(
            f"Databasen kunne ikke åbnes ({error.orig}). Tjek TVAERS_DATABASE_URL og at "
            "databasen kører, og prøv igen."
        ) from error
    finally:
        engine.dispose()
    if change.changed:
        click.echo(
            f"Databasen er opgraderet fra skema {change.before or 'uden version'} "
            f"til {change.after}."
        )
    else:
        click.echo(f"Databasen har allerede det nyeste skema ({change.after}).")
