"""In Chromium: a signed-in host registers their unit, picked by typing with the keyboard; a
person without an account asks for a personal link, follows it from the outbox on a phone-sized
screen, is told what is wrong beside the field, and registers as an intern wishing that host
(picked by typing); the coordinator sees both in the season's review."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import BROWSER_MARKS, serve, shot

pytest_plugins = ("tests.conftest_service", "tests.browser")
pytestmark = BROWSER_MARKS
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def registration_server(
    indexed_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, Any, int]]:
    """The service as on a laptop (local sign-in as admin) with a season open for registration;
    yields its address, the sign-in link, its state and the season's id."""
    from engine.season import SeasonDates
    from indexer.audit import Actor
    from service.app import create_app
    from service.auth.local import LocalSignIn
    from service.config import Settings
    from tests.fakes import FakeEmbedder

    home = tmp_path_factory.mktemp("browser-registration") / "home"
    shutil.copytree(indexed_home, home)
    local = LocalSignIn()
    settings = Settings(home=home, api_key=None, database_url=None)
    app = create_app(settings, embedder=FakeEmbedder(), local_sign_in=local)
    with serve(app) as url:
        state = app.state.tvaers
        today = dt.date.today()
        dates = SeasonDates(
            today,
            today + dt.timedelta(days=30),
            today + dt.timedelta(days=60),
            today + dt.timedelta(days=64),
        )
        season = state.seasons.create(
            "Innovationspraktik, uge 37", dates, Actor("test", "Test"), current=True
        )
        yield url, local.link(url), state, season.id


def _context(browser: Any, violations: list[str], **more: Any) -> Any:
    context = browser.new_context(locale="da-DK", **more)
    context.set_default_timeout(10_000)
    context.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return context


def test_a_host_and_an_intern_register_and_the_coordinator_sees_them(
    registration_server: tuple[str, str, Any, int], browser: Any
) -> None:
    from playwright.sync_api import expect

    url, link, state, season_id = registration_server
    violations: list[str] = []
    coordinator = _context(browser, violations, viewport={"width": 1200, "height": 900})
    phone = _context(browser, violations, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        # The host signs in (local administrator) and registers their own unit.
        host = coordinator.new_page()
        host.goto(link)
        host.wait_for_url(url + "/")
        host.goto(url + "/praktik/tilmelding")
        host.click("#register-host")
        unit = host.locator("#f-unit_name")
        unit.press_sequentially("hjemmepl", delay=30)
        expect(host.locator("#l-unit_name [role=option]").first).to_contain_text("Hjemmeplejen Nat")
        unit.press("ArrowDown")
        expect(unit).to_have_attribute("aria-activedescendant", "l-unit_name-0")
        unit.press("Enter")
        expect(unit).to_have_value("Hjemmeplejen Nat")
        expect(host.locator("input[name=unit_id]")).to_have_value("u001")
        expect(host.locator("#f-organisation")).to_have_value("Faxe Kommune")
        expect(host.locator("#f-sector")).to_have_value("kommune")
        host.fill("#f-offer", "Følg nattevagten på en vagt med skærmbesøg hos ældre borgere.")
        host.check("input[name=capacity][value='2']")
        host.check("input[name=durations][value='1']")
        host.check("input[name=durations][value='2']")
        host.fill("#f-contact_name", "Anne Holm")
        host.fill("#f-contact_email", "anne.holm@faxe.dk")
        host.click("#save-registration")
        expect(host.locator("#saved")).to_contain_text("er gemt")

        # The intern has no account: a personal link by e-mail, on a phone.
        intern = phone.new_page()
        intern.goto(url + "/praktik/tilmelding")
        intern.fill("#f-link-email", "ida@regionsjaelland.dk")
        intern.click("#ask-for-link")
        expect(intern.locator("#registration-notice")).to_contain_text("Hvis adressen kan bruges")
        letters = [m for m in state.outbox.messages() if m.to_address == "ida@regionsjaelland.dk"]
        personal = re.search(r"http\S+", letters[0].body)
        assert personal is not None
        intern.goto(personal.group(0))
        expect(intern.locator("#link-address")).to_contain_text("ida@regionsjaelland.dk")
        intern.click("#register-intern")
        expect(intern.locator("#f-email")).to_have_value("ida@regionsjaelland.dk")
        intern.fill("#f-name", "Ida Krogh")
        intern.fill("#f-organisation", "Region Sjælland")
        intern.select_option("#f-sector", "region")
        intern.check("input[name=duration][value='2']")
        wished = intern.locator("#f-wished_host_1")
        wished.press_sequentially("nat", delay=30)
        option = intern.locator("#l-wished_host_1 [role=option]").first
        expect(option).to_contain_text("Hjemmeplejen Nat (Faxe Kommune)")
        option.click()
        expect(wished).to_have_value("Hjemmeplejen Nat (Faxe Kommune)")
        intern.click("#save-registration")  # without a wish: refused beside the field

        wish = intern.locator("#f-wish")
        expect(intern.locator("#e-wish")).to_have_text("Skal udfyldes.")
        expect(wish).to_have_attribute("aria-invalid", "true")
        expect(wish).to_have_attribute("aria-describedby", re.compile(r"\be-wish\b"))
        expect(intern.locator("#form-errors")).to_be_focused()
        expect(intern.locator("#f-wished_host_1")).to_have_value("Hjemmeplejen Nat (Faxe Kommune)")
        wish.fill("Jeg vil se, hvordan skærmbesøg om natten fungerer.")
        intern.click("#save-registration")
        expect(intern.locator("#saved")).to_contain_text("er gemt")
        width = intern.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the form is wider than the phone"
        shot(intern, "registration-intern-phone.png", full_page=True)

        # The coordinator's review lists both, marked as registered.
        host.goto(f"{url}/praktik/saesoner/{season_id}")
        table = host.locator("#participants")
        expect(table).to_contain_text("Hjemmeplejen Nat")
        expect(table).to_contain_text("Ida Krogh")
        expect(host.locator("#participant-counts")).to_contain_text("1 værter og 1 praktikanter")
        expect(table.locator(".badge", has_text="tilmeldt")).to_have_count(2)
        shot(host, "registration-review.png", full_page=True)
    finally:
        coordinator.close()
        phone.close()
    assert violations == [], "a page broke its own CSP"
