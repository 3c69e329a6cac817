"""The unit page's recommendations in headless Chromium: both sections, with reasons, and links
that open the recommended trial action and colleague (fixtures in tests/browser.py)."""

from __future__ import annotations

from tests.browser import BROWSER_MARKS

pytest_plugins = ("tests.conftest_service", "tests.browser")
pytestmark = BROWSER_MARKS


def test_unit_page_recommends_trials_and_colleagues_with_reasons(server: str, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(server + "/enheder/u003")  # Center for Digital Velfærd, Region Sjælland
    trials = page.locator("#recommended-trials")
    expect(trials.locator("h2")).to_have_text("Prøvehandlinger fra lignende enheder")
    first_trial = trials.locator(".card").first
    expect(first_trial).to_have_attribute("data-id", "t001")
    expect(first_trial.locator(".where")).to_contain_text("Faxe Kommune")
    expect(first_trial.locator(".reason")).to_contain_text("Fælles kompetencer: skærmbesøg")

    people = page.locator("#recommended-people")
    expect(people.locator("h2")).to_have_text("Kolleger andre steder, der ved noget om det samme")
    first_person = people.locator(".card").first
    expect(first_person).to_have_attribute("data-id", "p001")
    expect(first_person.locator(".reason")).to_contain_text("skærmbesøg")
    assert "Sofie Lindqvist" not in people.inner_text()  # the unit's own colleague

    first_trial.locator(".card-title a").click()
    page.wait_for_url("**/enheder/u001**")
    expect(page.locator("#trial-t001")).to_contain_text("Skærmbesøg om natten")

    page.go_back()
    page.locator("#recommended-people .card").first.locator(".card-title a").click()
    page.wait_for_url("**/enheder/u001**")
    expect(page.locator("#person-p001")).to_contain_text("Ingeborg Skovsgaard")
    page.go_back()
    page.locator("#recommended-trials .card .where a").first.click()
    page.wait_for_url("**/enheder/u001")
    expect(page.locator("h1")).to_have_text("Hjemmeplejen Nat")
