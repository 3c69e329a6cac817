"""Guards around sign-in (issue 21): CSRF on cookie-authenticated API writes (item 8), throttling
of failed key checks and sign-in starts (item 11), `next` kept on the site (item 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

pytest_plugins = ("tests.conftest_service", "tests.oidc")

SignedIn = Callable[..., TestClient]


def test_a_cookie_authenticated_api_write_needs_the_csrf_header(signed_in: SignedIn) -> None:
    client = signed_in("kim", "tvaers-koordinatorer", "tvaers-admins")
    token = client.headers.pop("X-CSRF-Token")
    body = {"description": "Nattevagt med tablets."}
    refused = client.put("/api/units/u001", json=body)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    wrong = client.put("/api/units/u001", json=body, headers={"X-CSRF-Token": "forkert"})
    assert wrong.status_code == 403
    pairing = client.post("/api/pairings", json={"hosts": [], "interns": []})
    assert pairing.status_code == 403
    done = client.put("/api/units/u001", json=body, headers={"X-CSRF-Token": token})
    assert done.status_code == 200
    assert client.get("/api/units/u001").status_code == 200  # reading needs no token


def test_a_key_needs_no_csrf_header(
    client: TestClient, key_headers: dict[str, dict[str, str]]
) -> None:
    put = client.put("/api/units/u001", json={"area": "Ældre"}, headers=key_headers["test-admin"])
    assert put.status_code == 200


def test_failed_key_checks_are_throttled_per_address(
    settings_factory: Callable[..., Any], home: Any, key_headers: dict[str, dict[str, str]]
) -> None:
    from service.app import create_app
    from tests.fakes import FakeEmbedder

    app = create_app(
        settings_factory(home, throttle_key_failures="5/minute"), embedder=FakeEmbedder()
    )
    with TestClient(app) as client:
        bad = {"Authorization": "Bearer tvaers_gaet"}
        codes = [client.get("/api/units/u001", headers=bad).status_code for _ in range(6)]
        assert codes[:5] == [200] * 5  # reading is open: a bad key reads as anonymous
        answer = client.get("/api/units/u001", headers=bad)
        assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1
        assert "Vent" in answer.json()["detail"]
        # Even the right key waits now: the address is throttled, not the key.
        good = client.get("/api/units/u001", headers=key_headers["test-admin"])
        assert good.status_code == 429
        assert client.get("/api/units/u001").status_code == 200  # no key: no check to throttle


def test_sign_in_starts_are_throttled_per_address(oidc_app: Callable[..., Any]) -> None:
    with TestClient(oidc_app(throttle_sign_ins="3/minute"), base_url="https://testserver") as c:
        codes = [c.get("/log-ind/start", follow_redirects=False).status_code for _ in range(3)]
        assert codes == [302] * 3
        too_many = c.get("/log-ind/start", follow_redirects=False)
        assert too_many.status_code == 429 and "Retry-After" in too_many.headers
        assert "For mange forsøg" in too_many.text
        callback = c.get("/log-ind/svar?code=x&state=y", follow_redirects=False)
        assert callback.status_code == 429


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example/x",
        "/\r\n/evil.example",
        "/%09/evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/x\x00y",
        "/\u0085/evil.example",
    ],
)
def test_next_accepts_only_a_path_on_this_site(target: str) -> None:
    from service.auth.routes import _safe_next

    safe = _safe_next(target)
    assert safe == "/" or (safe.startswith("/") and not safe.startswith(("//", "/\\"))), safe
    assert all(ord(c) >= 0x20 for c in safe)


def test_next_keeps_an_ordinary_path() -> None:
    from service.auth.routes import _safe_next

    assert _safe_next("/enheder/u001?q=MitID#top") == "/enheder/u001?q=MitID#top"


# 9. No 500 from bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/pairings", "/api/people", "/api/units/u001"])
def test_json_nested_too_deep_is_a_danish_422(
    client: TestClient, key_headers: dict[str, dict[str, str]], path: str
) -> None:
    body = "[" * 100_000 + "]" * 100_000
    method = client.put if path.startswith("/api/units/") else client.post
    answer = method(
        path,
        content=body,
        headers={**key_headers["test-admin"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert "indlejret for dybt" in answer.json()["detail"]


def test_json_depth_ignores_brackets_in_strings() -> None:
    from service.json_depth import json_depth

    assert json_depth(b'{"a": "[[[[{{{{", "b": [1, [2]]}') == 3
    assert json_depth(b'["\\"[[["]') == 1


# 10. Keys bound to units act only on units that exist ------------------------------------------


def test_a_unit_editor_key_for_a_unit_that_does_not_exist_cannot_create_it(
    client: TestClient, home: Any, key_factory: Callable[..., dict[str, str]]
) -> None:
    from service.auth.roles import Role

    key = key_factory(home, "u777-import", Role.unit_editor, ("u777",))
    unit = {
        "id": "u777",
        "name": "Opdigtet",
        "organisation": "Faxe Kommune",
        "sector": "kommune",
        "description": "Findes ikke.",
    }
    posted = client.post("/api/units", json=unit, headers=key)
    assert posted.status_code == 403 and "kun en administrator" in posted.json()["detail"]
    fields = {k: v for k, v in unit.items() if k != "id"}
    put = client.put("/api/units/u777", json=fields, headers=key)
    assert put.status_code == 403
    assert client.get("/api/units/u777").status_code == 404
    assert client.delete("/api/units/u777", headers=key).status_code == 404


# 5. Contact details fail closed ---------------------------------------------------------------


def test_extra_columns_are_hidden_from_anonymous_readers_unless_listed_public(
    client: TestClient, key_headers: dict[str, dict[str, str]]
) -> None:
    admin, reader = key_headers["test-admin"], key_headers["test-reader"]
    extra = {
        "mobil": "20 30 40 50",
        "telefonnummer": "56 20 99 99",
        "mail": "nat@faxe.dk",
        "e_mail": "nat2@faxe.dk",
        "privat_email": "anne.privat@gmail.com",
        "adresse": "Torvet 1, Haslev",
    }
    put = client.put("/api/units/u001", json={"metadata": extra}, headers=admin)
    assert put.status_code == 200, put.text
    secret = [v for k, v in extra.items() if k != "adresse"]
    unit = client.get("/api/units/u001").json()
    assert unit["metadata"] == {"adresse": "Torvet 1, Haslev"}
    hits = client.get("/api/search", params={"q": "skærmbesøg nattevagt"}).json()["hits"]
    assert any(h["id"] == "u001" for h in hits)
    for page in (
        str(hits),
        client.get("/enheder/u001").text,
        client.get("/?q=sk%C3%A6rmbes%C3%B8g+nattevagt").text,
    ):
        assert not [s for s in secret if s in page], page[:200]
    assert "Torvet 1, Haslev" in client.get("/enheder/u001").text
    shown = client.get("/api/units/u001", headers=reader).json()["metadata"]
    assert {k: shown[k] for k in extra} == extra  # a key sees them all
