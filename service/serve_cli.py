"""`tvaers serve`: the web page and the HTTP API on one port.

Registered on the main group with `main.add_command(serve)`; it opens the same home folder as the
other commands and refuses to start on a missing or out-of-date index.
"""

from __future__ import annotations

from typing import Protocol

import click

from indexer.embedders import Embedder
from indexer.errors import TvaersError
from service.config import Settings


class HasSettingsAndEmbedder(Protocol):
    settings: Settings

    def embedder(self) -> Embedder: ...


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adressen at lytte på.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Antal processer; hver følger databasen og deler hjemmemappens indeks.",
)
@click.pass_obj
def serve(app_context: HasSettingsAndEmbedder, host: str, port: int, workers: int) -> None:
    """Start websiden og API'et (søgning, enheder, Innovationspraktik)."""
    import uvicorn

    from service.app import create_app

    if workers > 1:
        _serve_workers(app_context.settings, host, port, workers)
        return
    try:
        app = create_app(app_context.settings, embedder=app_context.embedder())
    except TvaersError as exc:
        raise click.ClickException(str(exc)) from exc
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"tvaers kører på http://{shown_host}:{port}/  (API-dokumentation: /docs)")
    if not app.state.auth.writes_enabled:
        click.echo(
            "Skrivning er slået fra: ingen kan logge ind, og der er ingen API-nøgle med en "
            "skriverolle (lav en med `tvaers keys create NAVN --role admin`)."
        )
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Several processes on one port: each opens the home's index and follows the database,
    so a write through any of them is in every one's search within the follow interval."""
    import os

    import uvicorn

    # The workers build their settings from the environment, as a replica on its own would.
    os.environ["TVAERS_HOME"] = str(settings.home)
    if settings.database_url:
        os.environ["TVAERS_DATABASE_URL"] = settings.database_url
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"tvaers kører på http://{shown_host}:{port}/ med {workers} processer")
    uvicorn.run(
        "service.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
