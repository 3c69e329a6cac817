"""`tvaers search-gaps`: list what people searched for and did not find, or erase the counts."""

from __future__ import annotations

import click

from service.cli import AppContext, translate_errors
from service.gaps import SearchGaps


@click.command(name="search-gaps")
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True)
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--erase", "erase_query", default=None, help="Slet denne søgnings tællinger.")
@click.option("--erase-all", is_flag=True, help="Slet alle talte søgninger.")
@click.pass_obj
@translate_errors
def search_gaps(
    app: AppContext, days: int, limit: int, erase_query: str | None, erase_all: bool
) -> None:
    """Søgninger uden resultater eller med svage resultater (eller slet dem)."""
    store = app.home.open_store()
    try:
        gaps = SearchGaps(app.settings, store)
        if erase_all or erase_query is not None:
            deleted = gaps.erase(None if erase_all else erase_query)
            click.echo(f"Slettede {deleted} rækker med talte søgninger.")
            return
        found = gaps.report(days, limit)
        if not found:
            click.echo(f"Ingen søgninger uden gode resultater de seneste {days} dage.")
        for gap in found:
            outcome = "ingen resultater" if gap.hits == 0 else f"svage resultater ({gap.hits})"
            click.echo(f"{gap.count:6d}  {gap.query}  [{outcome}; senest {gap.last_day}]")
    finally:
        store.close()
