"""`tvaers keys create|list|revoke`: the named API keys of machine clients (nightly imports).

Registered on the main group with `main.add_command(keys)`; the database comes from the click
context (`ctx.obj.home`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

import click

from indexer.build import Home
from indexer.errors import TvaersError
from service.auth.keys import ApiKeys
from service.auth.roles import Role

if TYPE_CHECKING:
    from indexer.store import Store


class HasHome(Protocol):
    @property
    def home(self) -> Home: ...


@contextmanager
def _store(obj: HasHome) -> Iterator[Store]:
    store = obj.home.open_store()
    try:
        yield store
    except TvaersError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()


@contextmanager
def _keys(obj: HasHome) -> Iterator[ApiKeys]:
    with _store(obj) as store:
        yield ApiKeys(store.engine)


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else "-"


@click.group("keys")
def keys() -> None:
    """API-nøgler til maskiner (fx natlig import): hver har et navn og en rolle."""


@keys.command("create")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    required=True,
    help="reader: kun læse; unit_editor: rette sine enheder (--unit); coordinator; admin: alt",
)
@click.option("--unit", "units", multiple=True, help="En enhed, nøglen må rette (gentag)")
@click.pass_obj
def create(obj: HasHome, name: str, role: str, units: tuple[str, ...]) -> None:
    """Lav en nøgle; den vises kun denne ene gang (kun dens hash gemmes)."""
    chosen = Role(role)
    if chosen is Role.unit_editor and not units:
        raise click.UsageError("En nøgle med rollen unit_editor skal have mindst én --unit.")
    with _store(obj) as store:
        missing = [u for u in units if store.get("unit", u) is None]
        if missing:
            raise click.BadParameter(
                f"der er ingen enhed med id {', '.join(repr(u) for u in missing)}. En nøgle kan "
                "kun rette enheder, der findes; se id'erne med `tvaers search` eller på siden.",
                param_hint="'--unit'",
            )
        secret = ApiKeys(store.engine).create(name, chosen, units)
    click.echo(
        f"Nøglen '{name}' ({chosen.label}) er lavet. Gem den nu – den vises ikke igen:", err=True
    )
    click.echo(secret)


@keys.command("list")
@click.pass_obj
def list_keys(obj: HasHome) -> None:
    """Vis nøglerne: navn, rolle, enheder, oprettet, sidst brugt, tilbagekaldt."""
    with _keys(obj) as table:
        rows = table.all()
    if not rows:
        click.echo("Der er ingen API-nøgler. Lav en med `tvaers keys create NAVN --role ROLLE`.")
        return
    click.echo(f"{'Navn':<24}{'Rolle':<16}{'Enheder':<16}{'Oprettet':<18}{'Sidst brugt':<18}Status")
    for k in rows:
        status = f"tilbagekaldt {_when(k.revoked_at)}" if k.revoked_at else "gyldig"
        units = ",".join(k.units) or "-"
        click.echo(
            f"{k.name:<24}{k.role.label:<16}{units:<16}{_when(k.created_at):<18}"
            f"{_when(k.last_used_at):<18}{status}"
        )


@keys.command("revoke")
@click.argument("name")
@click.pass_obj
def revoke(obj: HasHome, name: str) -> None:
    """Tilbagekald en nøgle: den virker ikke længere (fra næste forespørgsel)."""
    with _keys(obj) as table:
        table.revoke(name)
    click.echo(f"Nøglen '{name}' er tilbagekaldt.")
