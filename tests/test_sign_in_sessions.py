"""Sessions on the server, identity by (issuer, subject), and what the provider says again
(issue 21: items 1, 2, 3, 9, 12), without a browser: TestClient against the mock provider."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from indexer.errors import TvaersError
from tests.oidc import claims_for, csrf_of, set_claims, sign_in_client

pytest_plugins = ("tests.conftest_service", "tests.oidc")

SignedIn = Callable[..., TestClient]
EXPIRED = "Du er blevet logget ud, fordi sessionen er udløbet – log ind igen."


def _later(client: TestClient, **delta: float) -> None:
    sessions = client.app.state.auth.sessions  # type: ignore[attr-defined]
    start = sessions.clock()
    sessions.clock = lambda: start + timedelta(**delta)


def _copy_cookie(client: TestClient, app: Any) -> TestClient:
    """A second client holding the same cookie, as someone who copied it would."""
    other = TestClient(app, base_url="https://testserver")
    other.cookies.set("tvaers_session", client.cookies["tvaers_session"])
    return other


# 2. Sign-out, revoke and expiry end the session on the server --------------------------------


def test_sign_out_ends_the_session_for_a_copied_cookie_too(
    oidc_app: Callable[..., Any], signed_in: SignedIn
) -> None:
    app = oidc_app()
    client = signed_in("anne", "tvaers-redaktoerer", "hjemmeplejen-nat", app=app)
    copy = _copy_cookie(client, app)
    token = csrf_of(client)
    assert copy.get("/mine").status_code == 200
    assert client.post("/log-ud", data={"csrf_token": token}).status_code == 200
    assert copy.get("/mine", follow_redirects=False).status_code == 303  # to /log-ind
    write = copy.put(
        "/api/units/u001", json={"description": "Stadig her?"}, headers={"X-CSRF-Token": token}
    )
    assert write.status_code == 401


def test_an_admin_lists_and_ends_a_users_sessions(
    oidc_app: Callable[..., Any], signed_in: SignedIn, key_headers: dict[str, dict[str, str]]
) -> None:
    app = oidc_app()
    anne = signed_in("anne", "tvaers-laesere", app=app)
    admin = key_headers["test-admin"]
    listed = anne.get("/api/sessions", params={"subject": "anne"}, headers=admin)
    assert listed.status_code == 200
    (row,) = listed.json()
    assert row["subject"] == "anne" and row["role"] == "reader"
    assert anne.get("/api/sessions", params={"subject": "anne"}).status_code == 403
    ended = anne.delete("/api/sessions", params={"subject": "anne"}, headers=admin)
    assert ended.status_code == 200 and ended.json() == {"ended": 1}
    assert anne.get("/api/people/p001").status_code == 401


def test_a_session_left_idle_ends(oidc_app: Callable[..., Any], signed_in: SignedIn) -> None:
    client = signed_in("anne", "tvaers-laesere", app=oidc_app(session_idle_minutes=60))
    _later(client, minutes=59)
    assert client.get("/api/people/p001").status_code == 200  # used: the idle clock restarts
    _later(client, minutes=59 + 61)
    response = client.get("/api/people/p001")
    assert response.status_code == 401 and response.json()["detail"] == EXPIRED


# 3. Roles follow the provider within the refresh interval ------------------------------------


def test_a_demoted_admin_loses_the_role_within_the_refresh_interval(
    oidc_provider: str, signed_in: SignedIn
) -> None:
    client = signed_in("ada", "tvaers-admins")
    assert client.get("/api/audit").status_code == 200
    set_claims(oidc_provider, "ada", claims_for("ada", "tvaers-laesere"))
    _later(client, minutes=4)
    assert client.get("/api/audit").status_code == 200  # not yet asked again
    _later(client, minutes=5)
    refused = client.get("/api/audit")
    assert refused.status_code == 403 and "du har rollen læser" in refused.json()["detail"]


def test_a_session_the_provider_no_longer_confirms_ends(
    oidc_provider: str, signed_in: SignedIn
) -> None:
    client = signed_in("ada", "tvaers-admins")
    httpx.post(f"{oidc_provider}/users/ada/revoke-tokens", timeout=10)
    _later(client, minutes=6)
    response = client.get("/api/audit")
    assert response.status_code == 401 and response.json()["detail"] == EXPIRED


# 1. Identity is (issuer, subject); e-mail only when verified ----------------------------------


def test_an_unverified_email_claim_gets_no_one_elses_units(
    oidc_app: Callable[..., Any],
    oidc_provider: str,
    signed_in: SignedIn,
    key_headers: dict[str, dict[str, str]],
) -> None:
    app = oidc_app()
    admin = key_headers["test-admin"]
    with TestClient(app, base_url="https://testserver") as client:
        added = client.post(
            "/api/editors", json={"principal": "victim@faxe.dk", "unit_id": "u002"}, headers=admin
        )
        assert added.status_code == 201
    victim = signed_in("victim", "tvaers-redaktoerer", "hjemmeplejen-nat", app=app)
    for sub, claims in (
        ("mallory", {"email": "victim@faxe.dk", "email_verified": False}),
        ("victim@faxe.dk", {}),  # a subject that looks like the e-mail, no e-mail claim
    ):
        with TestClient(app, base_url="https://testserver") as attacker:
            sign_in_client(
                attacker, oidc_provider, sub, {**claims, "groups": ["tvaers-redaktoerer"]}
            )
            headers = {"X-CSRF-Token": csrf_of(attacker)}
            put = attacker.put("/api/units/u002", json={"area": "Hacket"}, headers=headers)
            assert put.status_code == 403, sub
    # The victim's group-given and admin-given rows are all still there.
    assert victim.put("/api/units/u001", json={"area": "Ældre"}).status_code == 200
    assert victim.put("/api/units/u002", json={"area": "Borgere"}).status_code == 200


def test_a_setting_may_trust_the_providers_email(
    oidc_app: Callable[..., Any], oidc_provider: str, key_headers: dict[str, dict[str, str]]
) -> None:
    app = oidc_app(oidc_trust_email=True)
    with TestClient(app, base_url="https://testserver") as client:
        client.post(
            "/api/editors",
            json={"principal": "bo@faxe.dk", "unit_id": "u002"},
            headers=key_headers["test-admin"],
        )
        sign_in_client(
            client,
            oidc_provider,
            "bo",
            {"email": "bo@faxe.dk", "email_verified": False, "groups": ["tvaers-redaktoerer"]},
        )
        put = client.put(
            "/api/units/u002", json={"area": "X"}, headers={"X-CSRF-Token": csrf_of(client)}
        )
        assert put.status_code == 200


# 9 and 12. The OIDC flow by the book -----------------------------------------------------------


def test_sign_in_sends_pkce_and_the_configured_redirect_uri(
    oidc_app: Callable[..., Any],
) -> None:
    with TestClient(oidc_app(public_url="https://tvaers.faxe.dk"), base_url="https://x") as c:
        start = c.get("/log-ind/start", headers={"Host": "evil.example"}, follow_redirects=False)
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["redirect_uri"] == ["https://tvaers.faxe.dk/log-ind/svar"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43


def test_oidc_needs_the_public_url(
    settings_factory: Callable[..., Any], home: Any, oidc_provider: str
) -> None:
    from tests.oidc import oidc_settings

    settings = settings_factory(home, **oidc_settings(oidc_provider, public_url=None))
    with pytest.raises(TvaersError, match="TVAERS_PUBLIC_URL"):
        settings.check_auth()


def test_a_nonce_that_does_not_match_is_a_danish_401(
    oidc_app: Callable[..., Any], oidc_provider: str
) -> None:
    set_claims(oidc_provider, "anne", claims_for("anne"))
    with TestClient(oidc_app(), base_url="https://testserver") as client:
        start = client.get("/log-ind/start", follow_redirects=False)
        parts = urlsplit(start.headers["location"])
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query["nonce"] = "en-anden-engangskode"
        forged = urlunsplit(parts._replace(query=urlencode(query)))
        back = httpx.post(forged, data={"sub": "anne"}, follow_redirects=False, timeout=10)
        url = urlsplit(back.headers["location"])
        done = client.get(f"{url.path}?{url.query}", follow_redirects=False)
    assert done.status_code == 401
    assert "Log-ind mislykkedes" in done.text and "Start forfra" in done.text
