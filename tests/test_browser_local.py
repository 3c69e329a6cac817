"""In Chromium, `make run`'s mode without a provider: the one-time link `tvaers serve` prints
signs the browser in as local administrator, who edits a unit, runs the sample week's pairing and
acts as another unit's editor; the same link from another machine (a proxy forwarding 10.0.0.7)
is refused in Danish."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import BROWSER_MARKS, serve

pytest_plugins = ("tests.conftest_service", "tests.browser")
pytestmark = BROWSER_MARKS
WEEK = Path(__file__).resolve().parents[1] / "data" / "sample" / "week"


@pytest.fixture(scope="module")
def local_server(
    indexed_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The service as `tvaers serve` starts it on a laptop; yields its address and link."""
    from service.app import create_app
    from service.auth.local import LocalSignIn
    from service.config import Settings
    from tests.fakes import FakeEmbedder

    home = tmp_path_factory.mktemp("browser-local") / "home"
    shutil.copytree(indexed_home, home)
    local = LocalSignIn()
    settings = Settings(home=home, api_key=None, database_url=None)
    app = create_app(settings, embedder=FakeEmbedder(), local_sign_in=local)
    with serve(app) as url:
        yield url, local.link(url)


def test_the_printed_link_from_another_machine_is_refused(
    local_server: tuple[str, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    _, link = local_server
    context = browser.new_context(
        locale="da-DK", extra_http_headers={"X-Forwarded-For": "10.0.0.7"}
    )
    try:
        page = context.new_page()
        page.goto(link)
        expect(page.locator("main")).to_contain_text("Lokalt log-ind virker kun fra den maskine")
        expect(page.locator("#signed-in-as")).to_have_count(0)
    finally:
        context.close()


def test_the_printed_link_signs_in_to_edit_and_pair(
    local_server: tuple[str, str], browser: Any
) -> None:
    from playwright.sync_api import expect

    url, link = local_server
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="da-DK")
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(link)
        page.wait_for_url(url + "/")
        expect(page.locator("#signed-in-as")).to_contain_text("Lokal administrator")

        page.goto(url + "/enheder/u001")
        page.click("#edit-unit-u001")
        page.fill("#f-description", "Om natten passer vi også borgernes kanariefugle.")
        page.click("#save")
        page.wait_for_url(url + "/enheder/u001")
        expect(page.locator(".description")).to_contain_text("kanariefugle")

        page.goto(url + "/praktik")
        page.set_input_files("#hosts", str(WEEK / "hosts.csv"))
        page.set_input_files("#interns", str(WEEK / "interns.csv"))
        page.set_input_files("#locks", str(WEEK / "locks.csv"))
        page.locator("#pairing-submit").click()
        expect(page.locator("#figure-matched")).to_have_text("81 af 81")

        # Acting as another unit's editor (issue 23): the banner says so, and back again.
        page.goto(url + "/log-ind")
        page.check("input[name=choice][value=unit_editor]")
        page.fill("#act-as-unit", "u002")
        page.click("#act-as-submit")
        page.wait_for_url(url + "/enheder/u002")
        banner = page.locator("#acting-as")
        expect(banner).to_contain_text("enhedsredaktør for Borgerservice Haslev (u002)")
        expect(page.locator("#edit-unit-u002")).to_have_count(1)
        page.goto(url + "/enheder/u001")
        expect(page.locator("#edit-unit-u001")).to_have_count(0)
        page.click("#act-as-back")
        page.wait_for_url(url + "/log-ind")
        expect(banner).to_have_count(0)
        expect(page.locator("#signed-in-as")).to_contain_text("Lokal administrator")

        again = context.new_page()
        again.goto(link)  # the link works once
        expect(again.locator("main")).to_contain_text("allerede brugt")
    finally:
        context.close()
