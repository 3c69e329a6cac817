"""Sign-in end to end in headless Chromium against a real OpenID provider (oidc-provider-mock):
sign in and out, an expired session, Innovationspraktik for coordinators only, reader keys.

Fixtures: tests/browser.py (Chromium, `serve`), tests/oidc.py (the provider, `sign_in`)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI

from tests.browser import BROWSER_MARKS, serve
from tests.browser import shot as _shot
from tests.oidc import claims_for, oidc_browser_app, sign_in

pytest_plugins = ("tests.conftest_service", "tests.browser", "tests.oidc")
pytestmark = BROWSER_MARKS

EXPIRED = "Du er blevet logget ud, fordi sessionen er udløbet – log ind igen."


@pytest.fixture
def short_session_server(
    indexed_home: Path, tmp_path: Path, oidc_provider: str
) -> Iterator[tuple[str, FastAPI]]:
    """Sessions that end a minute after sign-in; the app too, to move its session clock."""
    home = tmp_path / "home"
    shutil.copytree(indexed_home, home)
    make = oidc_browser_app(home, oidc_provider, session_max_age=60)
    made: list[FastAPI] = []

    def app_at(url: str) -> FastAPI:
        made.append(make(url))
        return made[0]

    with serve(app_at) as url:
        yield url, made[0]


def test_sign_in_and_sign_out(
    oidc_server: str, oidc_provider: str, page: object, browser: object
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(oidc_server + "/?q=MitID")  # reading needs sign-in: to the sign-in page
    expect(page).to_have_url(re.compile(r"/log-ind\?next="))
    sign_in(
        page,
        oidc_server,
        oidc_provider,
        "anne",
        claims_for("anne", "tvaers-redaktoerer", "hjemmeplejen-nat", name="Anne Holm"),
    )
    expect(page.locator("#signed-in-as")).to_have_text("Anne Holm (enhedsredaktør)")
    cookie = next(c for c in page.context.cookies() if c["name"] == "tvaers_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    page.goto(oidc_server + "/enheder/u001")
    expect(page.locator("main")).to_contain_text("anne.holm@faxe.dk")  # contact: signed in
    _shot(page, "signed-in.png")

    page.locator("#sign-out").click()
    expect(page.locator("#notice")).to_have_text("Du er logget ud.")
    expect(page.locator("#signed-in-as")).to_have_count(0)
    page.goto(oidc_server + "/enheder/u001")
    expect(page).to_have_url(re.compile(r"/log-ind\?next=/enheder/u001"))
    assert "anne.holm@faxe.dk" not in page.content()

    # The cookie from before sign-out, in another browser: the session is gone on the server.
    copied = browser.new_context(locale="da-DK")  # type: ignore[attr-defined]
    try:
        copied.add_cookies([cookie])
        thief = copied.new_page()
        thief.goto(oidc_server + "/mine")
        expect(thief).to_have_url(re.compile(r"/log-ind\?next=/mine"))
        expect(thief.locator("#signed-in-as")).to_have_count(0)
    finally:
        copied.close()


def test_an_expired_session_is_refused(
    short_session_server: tuple[str, FastAPI], oidc_provider: str, page: object
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    server, app = short_session_server
    sign_in(page, server, oidc_provider, "rita", claims_for("rita", "tvaers-laesere"))
    page.goto(server + "/enheder/u001")
    expect(page.locator("#signed-in-as")).to_contain_text("(læser)")
    sessions = app.state.auth.sessions
    start = sessions.clock()
    sessions.clock = lambda: start + timedelta(seconds=61)  # no sleeping: the clock moves
    page.goto(server + "/enheder/u001")
    expect(page).to_have_url(re.compile(r"/log-ind\?next=/enheder/u001"))
    expect(page.locator("#notice")).to_have_text(EXPIRED)
    expect(page.locator("#signed-in-as")).to_have_count(0)
    api = page.request.get(server + "/api/units/u001")
    assert api.status == 401  # the cookie still comes along; the server refuses the session


def test_a_coordinator_runs_a_pairing_and_a_reader_cannot(
    oidc_server: str,
    oidc_provider: str,
    browser: object,
    coordinator_page: object,
    week: dict[str, Path],
) -> None:
    from playwright.sync_api import Page, expect

    page = coordinator_page
    assert isinstance(page, Page)
    page.goto(oidc_server + "/praktik")
    page.set_input_files("#hosts", str(week["hosts"]))
    page.set_input_files("#interns", str(week["interns"]))
    page.locator("#pairing-submit").click()
    expect(page.locator("#figure-matched")).to_have_text("3 af 3")

    context = browser.new_context(locale="da-DK")  # type: ignore[attr-defined]
    try:
        reader = context.new_page()
        reader.set_default_timeout(10_000)
        sign_in(reader, oidc_server, oidc_provider, "rita", claims_for("rita", "tvaers-laesere"))
        shown = reader.goto(oidc_server + "/praktik")
        assert shown is not None and shown.status == 403
        expect(reader.locator("#pairing-closed")).to_contain_text("kræver rollen koordinator")
        expect(reader.locator("#hosts")).to_have_count(0)
        token = reader.locator("input[name=csrf_token]").first.get_attribute("value")
        assert token
        files = {
            name: {"name": f"{name}.csv", "mimeType": "text/csv", "buffer": week[name].read_bytes()}
            for name in ("hosts", "interns")
        }
        posted = reader.request.post(
            oidc_server + "/praktik", multipart={"csrf_token": token, **files}
        )
        assert posted.status == 403 and 'id="figure-matched"' not in posted.text()
        api = reader.request.post(
            oidc_server + "/api/pairings", multipart=files, headers={"X-CSRF-Token": token}
        )
        assert api.status == 403
        assert "Det kræver rollen koordinator" in api.json()["detail"]
    finally:
        context.close()


def test_an_api_key_with_the_reader_role_cannot_write(
    oidc_server: str, page: object, key_headers: dict[str, dict[str, str]]
) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    reader, admin = key_headers["test-reader"], key_headers["test-admin"]
    url = oidc_server + "/api/units/u004"
    read = page.request.get(url, headers=reader)
    assert read.status == 200 and read.json()["contact_email"] == "mkro@digst.dk"
    refused = page.request.put(url, data={"name": "Hacket"}, headers=reader)
    assert refused.status == 403
    assert refused.json()["detail"] == "Det kræver rollen enhedsredaktør; du har rollen læser."
    assert page.request.get(url, headers=reader).json()["name"] == "Klarsprogsenheden"
    written = page.request.put(url, data={"area": "Kommunikation"}, headers=admin)
    assert written.status == 200 and written.json()["area"] == "Kommunikation"


def test_the_continue_link_never_leaves_the_site(
    oidc_server: str, oidc_provider: str, page: object
) -> None:
    """`next` with a tab between the slashes once became //host in Chromium (issue 21, item 4)."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    sign_in(page, oidc_server, oidc_provider, "rita", claims_for("rita", "tvaers-laesere"))
    elsewhere = "127.0.0.2:9/pwned.html"
    for bad in (f"/\t/{elsewhere}", f"/\n/{elsewhere}", f"/\\{elsewhere}", f"//{elsewhere}"):
        page.goto(oidc_server + "/log-ind?next=" + quote(bad, safe=""))
        page.get_by_text("Fortsæt").click()
        expect(page).to_have_url(oidc_server + "/")
