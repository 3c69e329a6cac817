"""Sign-in, roles, CSRF, API keys and the editors table, without a browser (TestClient against the
mock OpenID provider of tests/oidc.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from indexer.errors import TvaersError

pytest_plugins = ("tests.conftest_service", "tests.oidc")

SignedIn = Callable[..., TestClient]
EXPIRED = "Du er blevet logget ud, fordi sessionen er udløbet – log ind igen."


def test_sign_in_gives_the_mapped_role_and_units(signed_in: SignedIn) -> None:
    client = signed_in("anne", "tvaers-redaktoerer", "hjemmeplejen-nat")
    page = client.get("/").text
    assert "Anne" in page and "(enhedsredaktør)" in page
    assert 'id="sign-out"' in page


# Contact details ------------------------------------------------------------------------------


def test_contact_details_are_hidden_from_anonymous_visitors(
    client: TestClient, key_headers: dict[str, dict[str, str]]
) -> None:
    """No session and no key: no e-mail or phone in pages, hits, unit detail or people."""
    reader = key_headers["test-reader"]
    unit = client.get("/api/units/u001").json()
    assert unit["contact_name"] == "Anne Holm" and unit["contact_email"] == ""
    assert "phone" not in unit["metadata"] and unit["people"][0]["email"] == ""
    assert client.get("/api/people/p001").json()["email"] == ""
    hits = client.get("/api/search", params={"q": "skærmbesøg nattevagt"}).json()["hits"]
    assert hits and all(h["contact"]["email"] == "" and h["contact"]["phone"] == "" for h in hits)
    assert all("email" not in h["metadata"] and "contact_email" not in h["metadata"] for h in hits)
    for path in ("/enheder/u001", "/?q=sk%C3%A6rmbes%C3%B8g+nattevagt"):
        page = client.get(path).text
        assert "anne.holm@faxe.dk" not in page and "56 20 30 00" not in page
        assert "ingeborg.skovsgaard@faxe.dk" not in page

    # The same with a key (any role): the details are there.
    shown = client.get("/api/units/u001", headers=reader).json()
    assert shown["contact_email"] == "anne.holm@faxe.dk"
    assert shown["metadata"]["phone"] == "56 20 30 00"
    assert client.get("/api/people/p001", headers=reader).json()["email"] == (
        "ingeborg.skovsgaard@faxe.dk"
    )
    hits = client.get("/api/search", params={"q": "skærmbesøg nattevagt"}, headers=reader).json()[
        "hits"
    ]
    assert "anne.holm@faxe.dk" in {h["contact"]["email"] for h in hits}


def test_contact_details_are_shown_to_a_signed_in_reader(signed_in: SignedIn) -> None:
    client = signed_in("rita", "tvaers-laesere")
    assert "anne.holm@faxe.dk" in client.get("/enheder/u001").text


# Sign-in, sign-out, expiry -------------------------------------------------------------------


def test_session_cookie_is_secure_httponly_lax_with_a_max_age(
    oidc_app: Callable[..., Any], oidc_provider: str
) -> None:
    import httpx

    from tests.oidc import claims_for, set_claims

    with TestClient(oidc_app(), base_url="https://testserver") as client:
        set_claims(oidc_provider, "anne", claims_for("anne"))
        start = client.get("/log-ind/start", follow_redirects=False)
        back = httpx.post(start.headers["location"], data={"sub": "anne"}, follow_redirects=False)
        url = urlsplit(back.headers["location"])
        done = client.get(f"{url.path}?{url.query}", follow_redirects=False)
    cookie = done.headers["set-cookie"].lower()
    assert cookie.startswith("tvaers_session=")
    for part in ("secure", "httponly", "samesite=lax", f"max-age={8 * 3600 + 3600}"):
        assert part in cookie, cookie


def test_sign_out_needs_the_csrf_token_and_ends_the_session(signed_in: SignedIn) -> None:
    client = signed_in("anne", "tvaers-redaktoerer")
    refused = client.post("/log-ud", data={"csrf_token": "forkert"})
    assert refused.status_code == 403
    assert "sikkerhedsnøgle mangler eller er forældet" in refused.text
    assert client.get("/api/people/p001").json()["email"] != ""  # still signed in
    token = _csrf(client)
    done = client.post("/log-ud", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get("/").text
    assert "Du er logget ud." in page and 'id="sign-in"' in page  # reading needs sign-in
    assert client.get("/api/people/p001").status_code == 401


def _later(client: TestClient, **delta: float) -> None:
    """Move the app's session clock on (no sleeping)."""
    sessions = client.app.state.auth.sessions  # type: ignore[attr-defined]
    start = sessions.clock()
    sessions.clock = lambda: start + timedelta(**delta)


def test_an_expired_session_is_refused_server_side(
    oidc_app: Callable[..., Any], oidc_provider: str, signed_in: SignedIn
) -> None:
    """The cookie's own expiry is the browser's business; the server checks the session's."""
    client = signed_in("anne", "tvaers-admins", app=oidc_app(session_max_age=60))
    assert client.get("/api/editors").status_code == 200
    _later(client, seconds=61)
    response = client.get("/api/editors")
    assert response.status_code == 401
    assert response.json()["detail"] == EXPIRED
    again = client.get("/api/editors")  # the session is gone now, not just refused once
    assert again.status_code == 401


def test_an_expired_session_tells_the_page(
    oidc_app: Callable[..., Any], signed_in: SignedIn
) -> None:
    client = signed_in("anne", "tvaers-admins", app=oidc_app(session_max_age=60))
    _later(client, seconds=61)
    page = client.get("/log-ind")  # reading needs sign-in: anonymous pages lead here
    assert EXPIRED in page.text and 'id="sign-in"' in page.text
    assert 'id="signed-in-as"' not in page.text


def test_next_after_sign_in_stays_on_the_site(signed_in: SignedIn) -> None:
    client = signed_in(None)
    page = client.get("/log-ind", params={"next": "//evil.example/x"}).text
    assert 'href="/log-ind/start?next=/"' in page or "next=%2F" in page


# Reading needs sign-in -------------------------------------------------------------------------


def test_reading_needs_sign_in_once_oidc_is_configured(
    signed_in: SignedIn, key_headers: dict[str, dict[str, str]]
) -> None:
    anonymous = signed_in(None)
    page = anonymous.get("/?q=MitID", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/log-ind?next=/%3Fq%3DMitID"
    api = anonymous.get("/api/search", params={"q": "MitID"})
    assert api.status_code == 401
    assert api.json()["detail"] == "Log ind for at læse i tvaers (eller send en API-nøgle)."
    assert anonymous.get("/health").status_code == 200
    assert anonymous.get("/static/style.css").status_code == 200
    assert anonymous.get("/log-ind").status_code == 200
    keyed = anonymous.get("/api/search", params={"q": "MitID"}, headers=key_headers["test-reader"])
    assert keyed.status_code == 200 and keyed.json()["hits"]
    reader = signed_in("rita", "tvaers-laesere")
    assert reader.get("/?q=MitID").status_code == 200


def test_reading_can_stay_open_with_oidc(oidc_app: Callable[..., Any], signed_in: SignedIn) -> None:
    anonymous = signed_in(None, app=oidc_app(read_needs_sign_in=False))
    assert anonymous.get("/?q=MitID").status_code == 200
    assert anonymous.get("/api/units/u001").json()["contact_email"] == ""


def test_without_oidc_reading_is_open_and_the_header_says_editing_is_off(
    client: TestClient,
) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'id="editing-off"' in page.text
    assert "Redigering er slået fra" in page.text
    login = client.get("/log-ind").text
    assert "Log-ind er slået fra" in login and "TVAERS_OIDC_ISSUER" in login


# Roles ---------------------------------------------------------------------------------------


def test_the_highest_mapped_role_wins_and_units_come_from_groups(
    settings_factory: Callable[..., Any], tmp_path: Path
) -> None:
    from service.auth.claims import groups_of, role_of, units_of
    from service.auth.roles import Role
    from tests.oidc import GROUP_ROLES, GROUP_UNITS

    settings = settings_factory(
        tmp_path, oidc_group_roles=GROUP_ROLES, oidc_group_units=GROUP_UNITS
    )
    groups = groups_of(
        {"groups": ["tvaers-redaktoerer", "tvaers-koordinatorer", "hjemmeplejen-nat", "x"]},
        "groups",
    )
    assert role_of(groups, settings) is Role.coordinator
    assert units_of(groups, settings) == {"u001"}
    assert role_of(["ukendt"], settings) is Role.reader  # nothing mapped: reader
    assert groups_of({"roles": "a b"}, "roles") == ["a", "b"]  # a space-separated claim
    assert groups_of({}, "groups") == []


def test_a_signed_in_editor_gets_the_units_of_groups_and_of_the_table(
    signed_in: SignedIn, key_headers: dict[str, dict[str, str]]
) -> None:
    admin = key_headers["test-admin"]
    editor = signed_in("anne", "tvaers-redaktoerer", "hjemmeplejen-nat")
    mine = editor.put("/api/units/u001", json={"description": "Nattevagt med tablets."})
    assert mine.status_code == 200
    other = editor.put("/api/units/u002", json={"description": "Hacket."})
    assert other.status_code == 403
    assert "Du må ikke rette enheden 'u002'" in other.json()["detail"]
    # An admin adds u002 for her in the table: it applies at once, without signing in again.
    added = editor.post(
        "/api/editors", json={"principal": "Anne@Faxe.dk", "unit_id": "u002"}, headers=admin
    )
    assert added.status_code == 201 and added.json()["principal"] == "anne@faxe.dk"
    assert (
        editor.put("/api/units/u002", json={"description": "Drop-in hver tirsdag."}).status_code
        == 200
    )
    rows = editor.get("/api/editors", headers=admin).json()
    assert {"principal": "sub:anne", "unit_id": "u001", "source": "group"} in rows
    removed = editor.delete(
        "/api/editors", params={"principal": "anne@faxe.dk", "unit_id": "u002"}, headers=admin
    )
    assert removed.status_code == 200
    assert editor.put("/api/units/u002", json={"description": "Igen."}).status_code == 403


def test_the_editors_api_is_for_admins_only(
    client: TestClient, key_headers: dict[str, dict[str, str]]
) -> None:
    assert client.get("/api/editors").status_code == 401
    for name in ("test-reader", "test-editor", "test-coordinator"):
        response = client.get("/api/editors", headers=key_headers[name])
        assert response.status_code == 403
        assert "Det kræver rollen administrator" in response.json()["detail"]
    unknown = client.post(
        "/api/editors",
        json={"principal": "a@b.dk", "unit_id": "u999"},
        headers=key_headers["test-admin"],
    )
    assert unknown.status_code == 404 and "u999" in unknown.json()["detail"]


def test_the_admin_page_adds_and_removes_editors_with_csrf(signed_in: SignedIn) -> None:
    admin = signed_in("ada", "tvaers-admins")
    page = admin.get("/admin/redaktoerer")
    assert page.status_code == 200 and "Hvem retter hvilke enheder" in page.text
    token = _csrf(admin, "/admin/redaktoerer")
    form = {"action": "add", "principal": "bo@faxe.dk", "unit_id": "u005"}
    assert admin.post("/admin/redaktoerer", data=form).status_code == 403  # no token
    done = admin.post("/admin/redaktoerer", data={**form, "csrf_token": token})
    assert done.status_code == 200 and "bo@faxe.dk" in done.text
    gone = admin.post("/admin/redaktoerer", data={**form, "action": "remove", "csrf_token": token})
    assert "bo@faxe.dk" not in gone.text
    reader = signed_in("rita", "tvaers-laesere")
    assert reader.get("/admin/redaktoerer").status_code == 403


# API keys ------------------------------------------------------------------------------------


def test_keys_are_stored_hashed_and_can_be_revoked(home: Path) -> None:
    import sqlalchemy as sa

    from indexer.build import Home
    from service.auth.keys import ApiKeys, hash_secret
    from service.auth.roles import Role

    store = Home(home).open_store()
    try:
        keys = ApiKeys(store.engine)
        secret = keys.create("natlig-import", Role.unit_editor, ("u001", "u002"))
        assert secret.startswith("tvaers_") and len(secret) >= 7 + 43  # 32 random bytes
        with store.engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT * FROM api_keys WHERE name='natlig-import'"))
            row = stored.mappings().one()
        assert row["secret_sha256"] == hash_secret(secret) and secret not in str(dict(row))
        key = keys.authenticate(secret)
        assert key is not None and key.role is Role.unit_editor
        assert key.user.units == frozenset({"u001", "u002"}) and key.user.via == "api_key"
        assert keys.authenticate(secret + "x") is None
        keys.revoke("natlig-import")
        assert keys.authenticate(secret) is None
        with pytest.raises(TvaersError, match="ingen gyldig nøgle"):
            keys.revoke("natlig-import")
        with pytest.raises(TvaersError, match="allerede en nøgle"):
            keys.create("natlig-import", Role.reader)
    finally:
        store.close()


def test_last_used_is_noted_at_most_once_a_minute(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer.build import Home
    from service.auth import keys as keys_module
    from service.auth.roles import Role

    now = [datetime(2026, 12, 3, 8, 0, 0)]
    monkeypatch.setattr(keys_module, "_now", lambda: now[0])
    store = Home(home).open_store()
    try:
        keys = keys_module.ApiKeys(store.engine)
        secret = keys.create("import", Role.reader)

        def last_used() -> datetime | None:
            return next(k for k in keys.all() if k.name == "import").last_used_at

        assert last_used() is None
        keys.authenticate(secret)
        assert last_used() == now[0]
        first = now[0]
        now[0] = first + timedelta(seconds=30)
        keys.authenticate(secret)
        assert last_used() == first  # within the minute: not written again
        now[0] = first + timedelta(seconds=61)
        keys.authenticate(secret)
        assert last_used() == now[0]
    finally:
        store.close()


def test_a_reader_key_cannot_write_and_an_editor_key_only_its_units(
    client: TestClient, key_headers: dict[str, dict[str, str]]
) -> None:
    reader, editor = key_headers["test-reader"], key_headers["test-editor"]
    refused = client.put("/api/units/u001", json={"name": "Hacket"}, headers=reader)
    assert refused.status_code == 403
    assert refused.json()["detail"] == ("Det kræver rollen enhedsredaktør; du har rollen læser.")
    assert client.delete("/api/people/p001", headers=reader).status_code == 403
    assert client.put("/api/units/u001", json={"area": "Ældre"}, headers=editor).status_code == 200
    other = client.put("/api/units/u002", json={"area": "X"}, headers=editor)
    assert other.status_code == 403
    person = {
        "id": "p90",
        "name": "Ny",
        "title": "",
        "unit_id": "u002",
        "expertise": ["MitID"],
        "email": "",
    }
    assert client.post("/api/people", json=person, headers=editor).status_code == 403
    moved = client.put("/api/people/p001", json={"unit_id": "u002"}, headers=editor)
    assert moved.status_code == 403  # not into a unit it does not edit
    assert client.get("/api/people/p001", headers=editor).json()["unit_id"] == "u001"


def test_the_keys_cli_creates_lists_and_revokes(home: Path) -> None:
    from click.testing import CliRunner

    from service.cli import main

    runner = CliRunner()
    made = runner.invoke(main, ["--home", str(home), "keys", "create", "nat", "--role", "admin"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("tvaers_")
    with TestClient(_app(home)) as client:
        body = {
            "id": "p91",
            "name": "Ny",
            "title": "",
            "unit_id": "u002",
            "expertise": ["MitID"],
            "email": "",
        }
        headers = {"Authorization": f"Bearer {secret}"}
        assert client.post("/api/people", json=body, headers=headers).status_code == 201
    listed = runner.invoke(main, ["--home", str(home), "keys", "list"])
    assert "nat" in listed.output and "administrator" in listed.output
    assert secret not in listed.output
    runner.invoke(main, ["--home", str(home), "keys", "revoke", "nat"])
    with TestClient(_app(home)) as client:
        response = client.get("/api/people/p91", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200 and response.json()["email"] == ""  # anonymous now
    no_unit = runner.invoke(
        main, ["--home", str(home), "keys", "create", "x", "--role", "unit_editor"]
    )
    assert no_unit.exit_code == 2 and "--unit" in no_unit.output


def test_the_old_shared_key_setting_stops_the_service(
    settings_factory: Callable[..., Any], home: Path
) -> None:
    from service.app import create_app
    from tests.fakes import FakeEmbedder

    with pytest.raises(TvaersError, match="tvaers keys create"):
        create_app(settings_factory(home, api_key="gammel-nøgle"), embedder=FakeEmbedder())


def test_oidc_settings_need_a_session_secret(
    settings_factory: Callable[..., Any], home: Path, oidc_provider: str
) -> None:
    from tests.oidc import oidc_settings

    settings = settings_factory(home, **oidc_settings(oidc_provider, session_secret=None))
    with pytest.raises(TvaersError, match="TVAERS_SESSION_SECRET"):
        settings.check_auth()
    half = settings_factory(home, oidc_issuer=oidc_provider)
    with pytest.raises(TvaersError, match="alle tre"):
        half.check_auth()


def _app(home: Path) -> Any:
    from service.app import create_app
    from service.config import Settings
    from tests.fakes import FakeEmbedder

    return create_app(Settings(home=home, api_key=None), embedder=FakeEmbedder())


def _csrf(client: TestClient, path: str = "/") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)
