"""Local sign-in: without an OpenID provider, `tvaers serve` on loopback prints a one-time link
that signs the browser in as a local administrator; it works once, only from this machine, and
is not offered on another address unless TVAERS_LOCAL_SIGN_IN=true."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import create_app
from service.auth.local import LocalSignIn, local_sign_in_for, refusal_at_start
from service.config import Settings
from service.serve_cli import serve
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service", "tests.oidc")
HERE = ("127.0.0.1", 50000)
ELSEWHERE = ("10.0.0.7", 50000)
WEEK = Path(__file__).resolve().parents[1] / "data" / "sample" / "week"


def settings(home: Path, **more: Any) -> Settings:
    more.setdefault("api_key", None)
    more.setdefault("database_url", None)
    return Settings(home=home, **more)


@pytest.fixture
def local() -> LocalSignIn:
    return LocalSignIn()


@pytest.fixture
def local_app(home: Path, local: LocalSignIn) -> Iterator[FastAPI]:
    app = create_app(settings(home), embedder=FakeEmbedder(), local_sign_in=local)
    yield app
    app.state.tvaers.close()


def client_at(app: FastAPI, address: tuple[str, int]) -> TestClient:
    """A client from `address`; no lifespan (the app's owner closes its state)."""
    return TestClient(app, base_url="http://127.0.0.1:8000", client=address)


def link_path(local: LocalSignIn) -> str:
    return local.link("http://127.0.0.1:8000/").removeprefix("http://127.0.0.1:8000")


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no form on {path}"
    return found.group(1)


@pytest.mark.parametrize(
    ("host", "workers", "setting", "offered", "anywhere"),
    [
        ("127.0.0.1", 1, None, True, False),
        ("::1", 1, None, True, False),
        ("localhost", 1, None, True, False),
        ("0.0.0.0", 1, None, False, False),
        ("192.168.1.20", 1, None, False, False),
        ("0.0.0.0", 1, True, True, True),
        ("127.0.0.1", 1, False, False, False),
        ("127.0.0.1", 2, None, False, False),
    ],
)
def test_when_the_link_is_offered(
    tmp_path: Path,
    host: str,
    workers: int,
    setting: bool | None,
    offered: bool,
    anywhere: bool,
) -> None:
    local = local_sign_in_for(settings(tmp_path, local_sign_in=setting), host, workers)
    assert (local is not None) == offered
    assert local is None or local.anywhere == anywhere


def test_a_provider_always_wins(tmp_path: Path, oidc_provider: str) -> None:
    from tests.oidc import oidc_settings

    configured = settings(tmp_path, **oidc_settings(oidc_provider), local_sign_in=True)
    assert local_sign_in_for(configured, "127.0.0.1", 1) is None
    assert refusal_at_start(configured, "0.0.0.0", 1) is None


def test_the_link_signs_in_as_local_admin_once(local_app: FastAPI, local: LocalSignIn) -> None:
    client = client_at(local_app, HERE)
    closed = client.get("/praktik")
    assert closed.status_code == 401 and "/log-ind?next=/praktik" in closed.text
    assert 'id="local-sign-in"' in client.get("/log-ind").text
    signed = client.get(link_path(local), follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    page = client.get("/").text
    assert "Lokal administrator" in page and "administrator" in page
    assert "Redigering er slået fra" not in page
    again = client_at(local_app, HERE).get(link_path(local))
    assert again.status_code == 403 and "allerede brugt" in again.text


def test_signed_in_locally_one_edits_a_unit_and_pairs_the_week(
    local_app: FastAPI, local: LocalSignIn
) -> None:
    client = client_at(local_app, HERE)
    client.get(link_path(local))
    edit_page = client.get("/rediger/unit/u001").text
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', edit_page))
    form = hidden | {"description": "Vi passer også kanariefugle om natten."}
    form |= {"competencies": "nattevagt", "contact_name": "", "contact_email": ""}
    saved = client.post("/rediger/unit/u001", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert "kanariefugle" in client.get("/enheder/u001").text
    files = {
        name: (f"{name}.csv", (WEEK / f"{name}.csv").read_bytes(), "text/csv")
        for name in ("hosts", "interns", "locks")
    }
    week = client.post("/praktik", files=files, data={"csrf_token": csrf(client, "/praktik")})
    assert week.status_code == 200
    assert 'id="figure-matched">81 af 81' in week.text


def test_refused_from_another_machine_in_danish(local_app: FastAPI, local: LocalSignIn) -> None:
    refused = client_at(local_app, ELSEWHERE).get(link_path(local))
    assert refused.status_code == 403
    assert "Lokalt log-ind virker kun fra den maskine, tvaers kører på" in refused.text
    # The refusal did not use the link up: from this machine it still works, once.
    assert (
        client_at(local_app, HERE).get(link_path(local), follow_redirects=False).status_code == 303
    )
    metrics = client_at(local_app, HERE).get("/metrics").text
    assert 'tvaers_sign_in_failures_total{reason="local_refused"} 1.0' in metrics


def test_a_wrong_token_is_refused(local_app: FastAPI) -> None:
    refused = client_at(local_app, HERE).get("/log-ind/lokal", params={"token": "gæt"})
    assert refused.status_code == 403 and "er forkert" in refused.text


def test_the_setting_allows_other_addresses(home: Path) -> None:
    local = LocalSignIn(anywhere=True)
    app = create_app(settings(home), embedder=FakeEmbedder(), local_sign_in=local)
    with client_at(app, ELSEWHERE) as client:
        assert client.get(link_path(local), follow_redirects=False).status_code == 303


def test_without_the_link_nothing_changes(client: TestClient) -> None:
    """A service without local sign-in (the default in create_app) has no such door."""
    assert (
        client.get("/log-ind/lokal", params={"token": "x"}, follow_redirects=False).headers[
            "location"
        ]
        == "/log-ind"
    )
    assert "Redigering er slået fra" in client.get("/").text


def _group(home: Path) -> click.Group:
    class Context:
        settings = Settings(home=home, api_key=None, database_url=None)

        def embedder(self) -> FakeEmbedder:
            return FakeEmbedder()

    @click.group()
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        ctx.obj = Context()

    cli.add_command(serve)
    return cli


def test_serve_prints_a_link_that_signs_in(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As `make run` shows it: the printed link, opened from this machine, signs in."""
    monkeypatch.delenv("TVAERS_LOCAL_SIGN_IN", raising=False)
    served: dict[str, FastAPI] = {}

    def fake_run(app: FastAPI, sock: Any, options: dict[str, Any]) -> None:
        served["app"] = app
        sock.close()

    monkeypatch.setattr("service.serve_cli.run_server", fake_run)
    result = CliRunner().invoke(_group(home), ["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "Log ind som lokal administrator (linket virker én gang, kun fra denne maskine):" in (
        result.output
    )
    link = re.search(r"http://127\.0\.0\.1:\d+(/log-ind/lokal\?token=\S+)", result.output)
    assert link, result.output
    with client_at(served["app"], HERE) as client:
        assert client.get(link.group(1), follow_redirects=False).status_code == 303
        assert "Lokal administrator" in client.get("/").text


def test_serve_on_another_address_says_why_there_is_no_link(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TVAERS_LOCAL_SIGN_IN", raising=False)
    monkeypatch.setattr("service.serve_cli.run_server", lambda app, sock, options: sock.close())
    result = CliRunner().invoke(_group(home), ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "Lokalt log-ind er slået fra, fordi tvaers lytter på 0.0.0.0" in result.output
    assert "/log-ind/lokal" not in result.output
