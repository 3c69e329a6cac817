"""`tvaers serve`: the web page and the HTTP API on one port.

Registered on the main group with `main.add_command(serve)`; it opens the same home folder as the
other commands and refuses to start on a missing or out-of-date index. The port is claimed before
anything else, so a port in use is one Danish line and exit code 1, never "tvaers kører på …"
followed by uvicorn's English error.
"""

from __future__ import annotations

import errno
import socket
from typing import Any, Protocol

import click

from indexer.embedders import Embedder
from indexer.errors import TvaersError
from service.auth.local import local_sign_in_for, refusal_at_start
from service.config import Settings


class HasSettingsAndEmbedder(Protocol):
    settings: Settings

    def embedder(self) -> Embedder: ...


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adressen at lytte på.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Porten at lytte på (0: en ledig port, som skrives ud).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Antal processer; hver følger databasen og deler hjemmemappens indeks.",
)
@click.option(
    "--proxy-headers/--no-proxy-headers",
    default=True,
    show_default=True,
    help="Læs klientens adresse og protokol (https) fra X-Forwarded-For og X-Forwarded-Proto, "
    "når forespørgslen kommer fra en betroet proxy (--forwarded-allow-ips).",
)
@click.option(
    "--forwarded-allow-ips",
    default=None,
    metavar="ADRESSER",
    help="Kommasepareret liste af proxyadresser, hvis X-Forwarded-* stoles på, eller '*' for "
    "alle (kun når ingen andre kan nå porten). Standard: $FORWARDED_ALLOW_IPS, ellers "
    "127.0.0.1,::1.",
)
@click.option("--check-port", is_flag=True, hidden=True, help="Prøv kun, om porten er ledig.")
@click.pass_obj
def serve(
    app_context: HasSettingsAndEmbedder,
    host: str,
    port: int,
    workers: int,
    proxy_headers: bool,
    forwarded_allow_ips: str | None,
    check_port: bool,
) -> None:
    """Start websiden og API'et (søgning, enheder, Innovationspraktik)."""
    options: dict[str, Any] = {
        "proxy_headers": proxy_headers,
        "forwarded_allow_ips": forwarded_allow_ips,
        "log_level": "warning",
    }
    settings = app_context.settings
    sock = claim_port(host, port)
    if check_port:  # `make run` asks before indexing, so a taken port is said at once
        sock.close()
        return
    port = sock.getsockname()[1]  # the port chosen when asked for 0
    shown_host = f"[{host}]" if ":" in host else host
    refusal = refusal_at_start(settings, host, workers)
    if workers > 1:
        sock.close()  # uvicorn's supervisor binds the port for its workers right after this
        if refusal:
            click.echo(refusal)
        _serve_workers(settings, host, port, workers, options)
        return
    from service.app import create_app

    local = local_sign_in_for(settings, host, workers)
    try:
        app = create_app(settings, embedder=app_context.embedder(), local_sign_in=local)
    except TvaersError as exc:
        sock.close()
        raise click.ClickException(str(exc)) from exc
    base_url = f"http://{shown_host}:{port}/"
    click.echo(f"tvaers kører på {base_url}  (API-dokumentation: /docs)")
    if local is not None:
        where = "" if local.anywhere else ", kun fra denne maskine"
        click.echo(f"Log ind som lokal administrator (linket virker én gang{where}):")
        click.echo(f"    {local.link(base_url)}")
    elif refusal:
        click.echo(refusal)
    if not app.state.auth.writes_enabled:
        click.echo(
            "Skrivning er slået fra: ingen kan logge ind, og der er ingen API-nøgle med en "
            "skriverolle (lav en med `tvaers keys create NAVN --role admin`)."
        )
    run_server(app, sock, options)


def claim_port(host: str, port: int) -> socket.socket:
    """Bind the port as uvicorn would (SO_REUSEADDR, IPv6 for an address with a colon), or stop
    with one Danish line that says what to do."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise click.ClickException(_bind_problem(host, port, exc)) from exc
    # Listening at once: a request sent after "tvaers kører på" waits in the backlog until the
    # app is up, instead of being refused.
    sock.listen(2048)
    return sock


def _bind_problem(host: str, port: int, exc: OSError) -> str:
    if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
        return f"Adressen {host} findes ikke på denne maskine. Brug fx 127.0.0.1 eller 0.0.0.0."
    if exc.errno == errno.EADDRINUSE:
        other = port + 1 if port < 65535 else port - 1
        return (
            f"Port {port} på {host} bruges allerede af et andet program. Vælg en anden port, "
            f"fx `make run PORT={other}` eller `tvaers serve --port {other}`."
        )
    if exc.errno == errno.EACCES:
        return f"Port {port} kræver særlige rettigheder. Vælg en port over 1023, fx 8000."
    return f"Kan ikke lytte på {host}:{port}: {exc.strerror or exc}."


def run_server(app: Any, sock: socket.socket, options: dict[str, Any]) -> None:
    """uvicorn on the socket claimed above (tests replace this function)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, **options))
    server.run(sockets=[sock])
    if not server.started:  # the app's start-up failed; uvicorn has said why
        raise SystemExit(3)


# uvicorn's supervisor kills a worker that does not answer its ping within 5 s: on a busy 2-core
# machine a worker loading the model missed it, again after each restart, and never served.
WORKER_PING_SECONDS = 60


def _serve_workers(
    settings: Settings, host: str, port: int, workers: int, options: dict[str, Any]
) -> None:
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
        timeout_worker_healthcheck=WORKER_PING_SECONDS,
        **options,
    )
