"""`tvaers season retention`: drop archived seasons' personal data after the retention period
(the service does the same at every start; this runs it from cron, or right away)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import click
import sqlalchemy as sa

from indexer.build import Home
from service.config import Settings

if TYPE_CHECKING:
    from service.season.retention import SeasonRetention


class HasHomeAndSettings(Protocol):
    settings: Settings

    @property
    def home(self) -> Home: ...


def season_retention(engine: sa.Engine) -> SeasonRetention:
    """Imported here: `tvaers --help` loads no season code."""
    from service.mail import Outbox
    from service.season.evaluation import SeasonEvaluation
    from service.season.publish import SeasonPublishing
    from service.season.retention import SeasonRetention
    from service.season.review import SeasonReview

    review = SeasonReview(engine)
    outbox = Outbox(engine)
    evaluation = SeasonEvaluation(engine, review, SeasonPublishing(engine, review, outbox), outbox)
    return SeasonRetention(engine, review, evaluation)


@click.group("season")
def season() -> None:
    """Innovationspraktikkens sæsoner."""


@season.command("retention")
@click.option("--dry-run", is_flag=True, help="Vis kun, hvilke sæsoner det gælder.")
@click.pass_obj
def retention(app: HasHomeAndSettings, dry_run: bool) -> None:
    """Slet persondata i arkiverede sæsoner efter opbevaringsperioden; tallene bevares."""
    months = app.settings.season_retention_months
    store = app.home.open_store()
    try:
        keeper = season_retention(store.engine)
        if dry_run:
            due = keeper.due(months)
            click.echo(f"{len(due)} arkiverede sæsoner er over {months} måneder: {due}")
            return
        dropped = keeper.drop_personal_data(months)
    finally:
        store.close()
    if not dropped:
        click.echo(f"Ingen arkiverede sæsoner er over opbevaringsperioden ({months} måneder).")
    for item in dropped:
        click.echo(
            f"Sæson {item.season_id}: persondata slettet ({item.rows} rækker); tallene er bevaret."
        )
