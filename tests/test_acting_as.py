"""Local sign-in's administrator sees tvaers as each role would (issue 23, item 1): anonymous
reader, employee, editor of a chosen unit, coordinator, and back; never with a real provider."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import create_app
from service.auth.local import LocalSignIn
from service.config import Settings
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service", "tests.oidc")
HERE = ("127.0.0.1", 50000)
ROLE_PATH = "/log-ind/lokal/rolle"


@pytest.fixture
def local_client(home: Path) -> Iterator[TestClient]:
    """A browser on this machine, signed in with the one-time link."""
    local = LocalSignIn()
    settings = Settings(home=home, api_key=None, database_url=None)
    app = create_app(settings, embedder=FakeEmbedder(), local_sign_in=local)
    client = TestClient(app, base_url="http://127.0.0.1:8000", client=HERE)
    path = local.link("http://127.0.0.1:8000/").removeprefix("http://127.0.0.1:8000")
    assert client.get(path, follow_redirects=False).status_code == 303
    yield client
    app.state.tvaers.close()


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/log-ind").text)
    assert found
    return found.group(1)


def _act_as(client: TestClient, choice: str, unit_id: str = "") -> Any:
    form = {"csrf_token": _csrf(client), "choice": choice, "unit_id": unit_id}
    return client.post(ROLE_PATH, data=form, follow_redirects=False)


def _banner(client: TestClient) -> str:
    found = re.search(r'id="acting-as">\s*<p>(.*?)<a', client.get("/").text, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else ""


def test_the_local_admin_sees_what_each_role_sees_and_comes_back(
    local_client: TestClient,
) -> None:
    client = local_client
    chooser = client.get("/log-ind").text
    assert 'id="act-as"' in chooser and "anonym læser" in chooser and _banner(client) == ""

    assert _act_as(client, "anonymous").headers["location"] == "/"
    assert "anonym læser" in _banner(client)
    assert client.get("/api/units/u001").json()["contact_email"] == ""  # as the public sees it
    assert client.get("/praktik").status_code == 401
    assert "Tilbage til lokal administrator" in client.get("/enheder/u001").text

    _act_as(client, "reader")
    assert "medarbejder (læser)" in _banner(client)
    assert client.get("/api/units/u001").json()["contact_email"] == "anne.holm@faxe.dk"
    assert client.get("/rediger/unit/u001").status_code == 403
    token = _csrf(client)
    put = client.put("/api/units/u001", json={"area": "X"}, headers={"X-CSRF-Token": token})
    assert put.status_code == 403

    went = _act_as(client, "unit_editor", "u002")
    assert went.headers["location"] == "/enheder/u002"
    assert "enhedsredaktør for Borgerservice Haslev (u002)" in _banner(client)
    assert client.get("/rediger/unit/u002").status_code == 200
    assert client.get("/rediger/unit/u001").status_code == 403
    assert client.get("/praktik").status_code == 403

    _act_as(client, "coordinator")
    assert "koordinator" in _banner(client)
    assert client.get("/praktik").status_code == 200
    assert client.get("/admin/redaktoerer").status_code == 403

    assert _act_as(client, "admin").headers["location"] == "/log-ind"
    assert _banner(client) == ""
    assert client.get("/admin/redaktoerer").status_code == 200


def test_acting_as_needs_the_form_token_and_a_unit_that_exists(local_client: TestClient) -> None:
    forged = local_client.post(ROLE_PATH, data={"choice": "anonymous"})
    assert forged.status_code == 403 and _banner(local_client) == ""
    missing = _act_as(local_client, "unit_editor", "u777")
    assert missing.status_code == 422 and "ingen enhed med id &#39;u777&#39;" in missing.text
    assert _act_as(local_client, "superbruger").status_code == 422
    assert _banner(local_client) == ""


def test_without_local_sign_in_nobody_acts_as_another_role(
    oidc_app: Callable[..., FastAPI], signed_in: Callable[..., TestClient]
) -> None:
    """With a real provider the page is not there, and a cookie that says otherwise (signed with
    the right secret) changes nothing, even for a subject called 'lokal'."""
    from itsdangerous import TimestampSigner

    from tests.oidc import SESSION_SECRET

    client = signed_in("lokal", "tvaers-admins", app=oidc_app())
    refused = client.post(ROLE_PATH, data={"csrf_token": _csrf(client), "choice": "reader"})
    assert refused.status_code == 404
    payload = client.cookies["tvaers_session"].split(".")[0]
    session = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    session["act_as"] = {"choice": "anonymous", "unit": None, "unit_name": None}
    forged = base64.b64encode(json.dumps(session).encode())
    (domain,) = {c.domain for c in client.cookies.jar if c.name == "tvaers_session"}
    signed = TimestampSigner(SESSION_SECRET).sign(forged).decode()
    client.cookies.set("tvaers_session", signed, domain=domain)  # replaces the real one
    assert client.get("/api/audit").status_code == 200  # still the admin the provider said
    assert _banner(client) == ""
