"""`tvaers backup FILE` and `tvaers restore FILE`: a home's database, synonym list and index
snapshot in one zip file, written while the service runs, and restored into a new home.

Registered on the main group with `main.add_command(...)`; the home and the database come from
the click context's settings, as for every other command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import click
import sqlalchemy as sa

from indexer.backup import BackupReport, restore_backup, write_backup
from indexer.build import Home
from indexer.errors import TvaersError
from indexer.schema import metadata

# Every table tvaers keeps in its database: the one schema's (tests/test_backup.py checks it).
TABLES: tuple[sa.Table, ...] = tuple(metadata.sorted_tables)


class HasHome(Protocol):
    @property
    def home(self) -> Home: ...


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup(app: HasHome, file: Path) -> None:
    """Tag en sikkerhedskopi til FILE (zip): databasen, synonymlisten og det nyeste indeks.

    Kan tages, mens tjenesten kører; FILE erstattes først, når kopien er færdig.
    """
    try:
        report = write_backup(app.home, TABLES, file)
    except (TvaersError, OSError) as exc:
        raise click.ClickException(f"Sikkerhedskopien kunne ikke skrives: {exc}") from exc
    click.echo(f"Sikkerhedskopi skrevet til {file}: {_summary(report)}.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def restore(app: HasHome, file: Path) -> None:
    """Gendan sikkerhedskopien FILE i en ny hjemmemappe (--home) med en tom database."""
    home = app.home
    try:
        report = restore_backup(file, home, TABLES)
    except TvaersError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Gendannet i {home.path} fra {file}: {_summary(report)}.")
    click.echo("Start tjenesten med `tvaers serve`.")


def _summary(report: BackupReport) -> str:
    labels = {"unit": "enheder", "person": "personer", "trial": "prøvehandlinger"}
    counts = ", ".join(f"{report.counts.get(kind, 0)} {label}" for kind, label in labels.items())
    index = "med indeks" if report.snapshot else "uden indeks (det bygges ved første start)"
    size = report.size_bytes / 1_000_000
    return f"{counts}, revision {report.revision}, {index} ({size:.1f} MB, {report.seconds:.1f} s)"
