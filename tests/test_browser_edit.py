"""In Chromium, signed in through the mock OpenID provider: a unit editor edits their own unit
and finds the change in search; no edit button on another unit and a direct POST gets 403;
»Det passer stadig« confirms; an edit conflict in two browser contexts shows both versions."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.browser import BROWSER_MARKS, serve

pytest_plugins = ("tests.conftest_service", "tests.browser", "tests.oidc")
pytestmark = BROWSER_MARKS
EDITOR = ("anne", "tvaers-redaktoerer", "hjemmeplejen-nat")  # edits u001


@pytest.fixture(scope="module")
def edit_server(
    indexed_home: Path, tmp_path_factory: pytest.TempPathFactory, oidc_provider: str
) -> Iterator[str]:
    from service.app import create_app
    from tests.conftest_service import settings_for
    from tests.fakes import FakeEmbedder
    from tests.oidc import oidc_settings

    home = tmp_path_factory.mktemp("browser-edit") / "home"
    shutil.copytree(indexed_home, home)

    def make(url: str) -> FastAPI:
        settings = settings_for(home, **oidc_settings(oidc_provider, public_url=url))
        return create_app(settings, embedder=FakeEmbedder())

    with serve(make) as url:
        yield url


def _editor_page(browser: Any, server: str, provider: str) -> Any:
    from tests.oidc import claims_for, sign_in

    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, server, provider, EDITOR[0], claims_for(*EDITOR))
    return page


def test_edit_own_unit_and_find_it_in_search(
    edit_server: str, oidc_provider: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    page = _editor_page(browser, edit_server, oidc_provider)
    page.goto(edit_server + "/enheder/u001")
    page.click("#edit-unit-u001")
    page.fill("#f-description", "Om natten passer vi også borgernes kanariefugle.")
    page.click("#save")
    page.wait_for_url(edit_server + "/enheder/u001")
    expect(page.locator(".description")).to_contain_text("kanariefugle")
    expect(page.locator("#confirmed-unit-u001")).to_contain_text("af Anne")
    page.goto(edit_server + "/")
    page.locator("#q").press_sequentially("kanariefugle", delay=15)
    expect(page.locator("#results .card").first).to_have_attribute("data-id", "u001")
    expect(page.locator("#results .card .confirmed").first).to_contain_text("Bekræftet")
    page.context.close()


def test_no_edit_button_on_another_unit_and_a_direct_post_is_refused(
    edit_server: str, oidc_provider: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    page = _editor_page(browser, edit_server, oidc_provider)
    page.goto(edit_server + "/enheder/u002")
    expect(page.locator("h1")).to_have_text("Borgerservice Haslev")
    expect(page.locator("text=Rediger")).to_have_count(0)
    expect(page.locator("text=Det passer stadig")).to_have_count(0)
    # The editor's own session and CSRF token, posted straight at the other unit.
    page.goto(edit_server + "/rediger/unit/u001")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    refused = httpx.post(
        edit_server + "/rediger/unit/u002",
        data={"csrf_token": token, "version": "x", "description": "Overtaget."},
        cookies=cookies,
    )
    assert refused.status_code == 403
    response = page.request.post(
        edit_server + "/rediger/unit/u002",
        form={"csrf_token": token or "", "version": "x", "description": "Overtaget."},
    )
    assert response.status == 403
    page.goto(edit_server + "/enheder/u002")
    expect(page.locator(".description")).not_to_contain_text("Overtaget")
    page.context.close()


def test_confirm_freshness(edit_server: str, oidc_provider: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = _editor_page(browser, edit_server, oidc_provider)
    page.goto(edit_server + "/enheder/u001")
    page.click("#confirm-trial-t001")
    today = dt.datetime.now(dt.UTC).strftime("%d-%m-%Y")
    expect(page.locator("#confirmed-trial-t001")).to_have_text(f"Sidst bekræftet {today} af Anne")
    page.context.close()


def test_an_edit_conflict_shows_both_versions(
    edit_server: str, oidc_provider: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    first = _editor_page(browser, edit_server, oidc_provider)
    second = _editor_page(browser, edit_server, oidc_provider)
    for page in (first, second):
        page.goto(edit_server + "/rediger/trial/t001")
    first.fill("#f-learnings", "Første: borgerne sover bedre.")
    first.click("#save")
    first.wait_for_url(edit_server + "/enheder/u001*")
    second.fill("#f-learnings", "Anden: vi sparer kørsel.")
    second.click("#save")
    expect(second.locator("h1")).to_have_text("Nogen har gemt en ændring i mellemtiden")
    expect(second.locator("th", has_text="Din ændring")).to_be_visible()
    expect(second.locator("th", has_text="Den gemte version")).to_be_visible()
    expect(second.locator("td.yours", has_text="Anden: vi sparer kørsel.")).to_be_visible()
    expect(second.locator("td.stored", has_text="Første: borgerne sover bedre.")).to_be_visible()
    second.click("#save-mine")
    second.wait_for_url(edit_server + "/enheder/u001*")
    expect(second.locator("#trial-t001")).to_contain_text("Anden: vi sparer kørsel.")
    first.context.close()
    second.context.close()
