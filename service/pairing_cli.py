"""`tvaers pair`: the week's pairing proposal from the command line.

Registered on the main group with `main.add_command(pair)`; the embedder comes from the click
context (`ctx.obj.reusing_embedder()`), so the command never chooses a model itself.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import click

from engine.pairing import MODES, PairingWeights, load_week, propose_pairings, write_proposal
from indexer.embedders import Embedder
from indexer.errors import TvaersError


class HasEmbedder(Protocol):
    def reusing_embedder(self) -> Embedder: ...

    def pairing_weights(self) -> PairingWeights: ...


_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("pair")
@click.argument("files", nargs=-1, type=_FILE, metavar="[HOSTS INTERNS [LOCKS]]")
@click.option("--hosts", "hosts_path", type=_FILE, help="hosts.csv eller .xlsx")
@click.option("--interns", "interns_path", type=_FILE, help="interns.csv/.xlsx")
@click.option("--locks", "locks_path", type=_FILE, help="locks.csv: par fastlåst af koordinatoren")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="optimal",
    show_default=True,
    help="optimal: højeste samlede fit; stable: ingen par, der hellere ville være sammen",
)
@click.option(
    "--cross-sector-bonus",
    type=float,
    default=None,
    help="bonus for par på tværs af sektorer (ellers TVAERS_PAIRING_CROSS_SECTOR_BONUS, "
    f"standard {PairingWeights().cross_sector_bonus})",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="forslag.csv, eller .xlsx for Excel (ellers skrives parrene på skærmen)",
)
@click.option("--json", "as_json", is_flag=True, help="skriv også forslaget som JSON")
@click.pass_context
def pair(
    ctx: click.Context,
    files: tuple[Path, ...],
    hosts_path: Path | None,
    interns_path: Path | None,
    locks_path: Path | None,
    mode: str,
    cross_sector_bonus: float | None,
    out_path: Path | None,
    as_json: bool,
) -> None:
    """Foreslå par af praktikanter og værter til Innovationspraktikken.

    Filerne gives i rækkefølgen værter, praktikanter og (valgfrit) låste par, eller med
    --hosts, --interns og --locks: `tvaers pair hosts.csv interns.csv --out forslag.xlsx`.
    """
    hosts_path, interns_path, locks_path = _week_files(files, hosts_path, interns_path, locks_path)
    if out_path is not None and out_path.suffix.lower() not in (".csv", ".xlsx"):
        raise click.BadParameter("skal ende på .csv eller .xlsx", param_hint="--out")
    app: HasEmbedder | None = ctx.obj
    if app is None or not hasattr(app, "reusing_embedder"):
        raise click.UsageError("kør kommandoen som `tvaers pair` (der mangler en model)")
    weights = app.pairing_weights()
    if cross_sector_bonus is not None:
        weights = replace(weights, cross_sector_bonus=cross_sector_bonus)
    try:
        week = load_week(hosts_path, interns_path, locks_path)
        proposal = propose_pairings(
            week.hosts,
            week.interns,
            app.reusing_embedder(),  # a re-run around new locks embeds nothing again
            locks=week.locks,
            mode="stable" if mode == "stable" else "optimal",
            weights=weights,
        )
        if out_path is not None:
            write_proposal(proposal, out_path)
    except TvaersError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"Kunne ikke skrive {out_path}: {exc.strerror}") from exc
    if as_json:
        click.echo(json.dumps(proposal.as_json(), ensure_ascii=False, indent=2))
        return
    if out_path is None:
        for p in proposal.pairs:
            click.echo(
                f"{p.intern_id} {p.intern_name} → {p.host_id} {p.host_unit}, "
                f"{p.host_organisation} ({p.duration} {'dag' if p.duration == 1 else 'dage'}): "
                f"{p.reason}"
            )
    stats: dict[str, Any] = proposal.stats.as_dict()
    written = f"forslaget er skrevet til {out_path}" if out_path else "gem det med --out FIL"
    click.echo(
        f"{stats['matched']} af {stats['interns']} praktikanter har fået plads "
        f"({stats['cross_sector_share']:.0%} på tværs af sektorer); {written}.",
        err=True,
    )
    for unmatched in proposal.unmatched:
        click.echo(f"Uden plads: {unmatched.intern_id}: {unmatched.reason}", err=True)


def _week_files(
    files: tuple[Path, ...], hosts: Path | None, interns: Path | None, locks: Path | None
) -> tuple[Path, Path, Path | None]:
    """The week's files, given in order (hosts, interns, locks) or by option, not both."""
    if files and (hosts or interns or locks):
        raise click.UsageError("giv filerne enten i rækkefølge eller med --hosts og --interns")
    if len(files) > 3:
        raise click.UsageError("højst tre filer: værter, praktikanter og låste par")
    if files:
        hosts, interns, locks = (*files, None, None)[:3]
    if hosts is None or interns is None:
        raise click.UsageError(
            "mangler værter og praktikanter: `tvaers pair hosts.csv interns.csv` "
            "(eller --hosts og --interns)"
        )
    return hosts, interns, locks
