"""End to end in headless Chromium: search as you type, similar units, pairing upload + CSV.

Runs Debian's /usr/bin/chromium through Python playwright against a uvicorn server started here
on a free port of 127.0.0.1 (fake embedder, small Danish data); fixtures in tests/browser.py.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.browser import BROWSER_MARKS
from tests.browser import shot as _shot

pytest_plugins = ("tests.conftest_service", "tests.browser", "tests.oidc")
pytestmark = BROWSER_MARKS


def test_pages_work_under_the_csp_and_an_inline_script_is_refused(
    server: str, browser: object
) -> None:
    """The docs page runs under the same CSP; a script slipped into a page does not run."""
    from playwright.sync_api import expect

    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text))
        response = page.goto(server + "/docs")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("tvaers")
        expect(page.locator('.opblock-summary-path[data-path="/api/search"]')).to_be_visible()
        assert not [m for m in refused if "Content Security Policy" in m]

        page.goto(server + "/?q=MitID")
        expect(page.locator("#results .card").first).to_be_visible()  # the page's own scripts run
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.injected = true";
                document.body.appendChild(script);
            }"""
        )
        assert page.evaluate("window.injected === undefined")
        assert [m for m in refused if "Content Security Policy" in m]
    finally:
        context.close()


def test_search_as_you_type_and_similar_units(server: str, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(server + "/")
    expect(page.locator("#status")).to_have_text("Skriv et par ord for at søge.")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")  # the keyboard shortcut to the search box
    expect(page.locator("#q")).to_be_focused()
    page.locator("#q").press_sequentially("hvem ved noget om skærmbesøg om natten", delay=15)
    first = page.locator("#results .card").first
    # The trial named for the query's words comes first (a name weighs more than text).
    expect(first).to_have_attribute("data-id", "t001")
    expect(first.locator(".card-title")).to_have_text("Skærmbesøg om natten")
    expect(page.locator("#results .card mark").first).to_be_visible()
    expect(page.locator("#status")).to_contain_text("resultater for »hvem ved noget om")
    assert "q=hvem+ved+noget" in page.url  # the address can be shared
    _shot(page, "search.png")

    page.select_option("#sector", "region")  # a filter applies at once
    expect(page.locator("#results .card").first).to_have_attribute("data-id", "u003")
    page.select_option("#sector", "")

    page.select_option("#kind", "trial")
    page.select_option("#sector", "stat")  # no trial actions in the state sector
    expect(page.locator("#status")).to_have_text(
        "Ingen resultater for »hvem ved noget om skærmbesøg om natten«. "
        "Prøv andre ord, eller fjern et filter."
    )
    expect(page.locator("#results .card")).to_have_count(0)

    page.goto(server + "/?q=sk%C3%A6rmbes%C3%B8g+om+natten&kind=unit")
    page.locator("#results .card").first.locator(".card-title a").click()
    page.wait_for_url("**/enheder/u001")
    expect(page.locator("h1")).to_have_text("Hjemmeplejen Nat")
    expect(page.locator("#person-p001")).to_contain_text("Ingeborg Skovsgaard")
    expect(page.locator("#trial-t001")).to_contain_text("Skærmbesøg om natten")
    similar = page.locator("#similar .card")
    expect(similar.first).to_be_visible()
    assert "Faxe Kommune" in page.locator("#similar").inner_text()
    page.locator("#other").check()
    expect(page.locator("#similar-status")).to_contain_text("i andre organisationer")
    assert "Faxe Kommune" not in page.locator("#similar").inner_text()
    assert similar.count() >= 1
    _shot(page, "unit.png", full_page=True)


def test_search_on_a_phone(server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(server + "/?q=MitID")
        card = page.locator("#results .card").first
        box = card.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the page must not scroll sideways on a phone"
        _shot(page, "search-phone.png")
    finally:
        context.close()


def test_pairing_upload_and_csv_download(
    oidc_server: str, coordinator_page: object, week: dict[str, Path]
) -> None:
    """Innovationspraktik needs a coordinator: signed in as one through the test provider."""
    from playwright.sync_api import Page, expect

    page = coordinator_page
    assert isinstance(page, Page)
    page.goto(oidc_server + "/praktik")
    page.set_input_files("#hosts", str(week["hosts"]))
    page.set_input_files("#interns", str(week["interns"]))
    page.set_input_files("#locks", str(week["locks"]))
    page.locator("#pairing-submit").click()
    expect(page.locator("#figure-matched")).to_have_text("3 af 3")
    expect(page.locator("#pairs tbody tr")).to_have_count(3)
    _shot(page, "pairing.png", full_page=True)

    with page.expect_download() as info:
        page.locator("#download-csv").click()
    download = info.value
    assert download.suggested_filename == "praktikforslag.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8"))))
    assert {r["Praktikantens id"]: r["Værtens id"] for r in rows} == {
        "i1": "h1",
        "i2": "h2",
        "i3": "h1",
    }


def test_pairing_page_shows_problems_in_danish(
    oidc_server: str, coordinator_page: object, tmp_path: Path, week: dict[str, Path]
) -> None:
    from playwright.sync_api import Page, expect

    page = coordinator_page
    assert isinstance(page, Page)
    bad = tmp_path / "hosts.csv"
    bad.write_text("id,organisation\nh1,Faxe Kommune\n", encoding="utf-8")
    page.goto(oidc_server + "/praktik")
    page.set_input_files("#hosts", str(bad))
    page.set_input_files("#interns", str(week["interns"]))
    page.locator("#pairing-submit").click()
    expect(page.locator(".error-box")).to_contain_text("Ret disse fejl")
    expect(page.locator(".error-box")).to_contain_text("kolonne 'capacity': kolonnen mangler")


def test_suggestions_while_typing(server: str, page: object) -> None:
    """A listbox under the box: arrow down + Enter opens a unit; a competency runs a search."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(server + "/")
    box = page.locator("#q")
    listbox = page.locator("#suggestions")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("plejec", delay=20)
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.locator("[role=option]")
    expect(options.first).to_contain_text("Plejecenter Solgården")
    expect(options.first).to_contain_text("Enhed")
    _shot(page, "suggestions.png")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-0")
    box.press("Enter")
    page.wait_for_url("**/enheder/u006")
    expect(page.locator("h1")).to_have_text("Plejecenter Solgården")

    page.goto(server + "/")
    box.press_sequentially("telem", delay=20)
    expect(options.first).to_contain_text("telemedicin")
    box.press("Escape")  # closes the list, keeps the text
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("telem")
    box.press("ArrowDown")  # opens it again
    expect(options.first).to_be_visible()
    options.filter(has_text="telemedicin").first.click()
    expect(box).to_have_value("telemedicin")
    expect(listbox).to_be_hidden()
    expect(page.locator("#status")).to_contain_text("for »telemedicin«")
    expect(page.locator("#results .card").first).to_be_visible()
    assert "q=telemedicin" in page.url
