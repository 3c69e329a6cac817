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
@click.pass_obj
def serve(app_context: HasSettingsAndEmbedder, host: str, port: int) -> None:
    """Start websiden og API'et (søgning, enheder, Innovationspraktik)."""
    import uvicorn

    from service.app import create_app

    try:
        app = create_app(app_context.settings, embedder=app_context.embedder())
    except TvaersError as exc:
        raise click.ClickException(str(exc)) from exc
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"tvaers kører på http://{shown_host}:{port}/  (API-dokumentation: /docs)")
    if not app_context.settings.writes_enabled:
        click.echo("Skrivning via API'et er slået fra (sæt TVAERS_API_KEY for at slå den til).")
    uvicorn.run(app, host=host, port=port, log_level="warning")
