"""In Chromium: counts beside the filter values follow the query; the search-gap page lists a
query a person searched for and found nothing (issue 11)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import BROWSER_MARKS, serve
from tests.browser import shot as _shot

pytest_plugins = ("tests.conftest_service", "tests.browser", "tests.oidc")
pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def gaps_server(
    indexed_home: Path, tmp_path_factory: pytest.TempPathFactory, oidc_provider: str
) -> Iterator[str]:
    """tvaers with sign-in against the test provider; every asked query is written at once."""
    from tests.oidc import oidc_browser_app

    home = tmp_path_factory.mktemp("browser-gaps") / "home"
    shutil.copytree(indexed_home, home)
    with serve(oidc_browser_app(home, oidc_provider, search_gaps_min_askings=1)) as url:
        yield url


@pytest.fixture
def coordinator(page: object, gaps_server: str, oidc_provider: str) -> object:
    """The page signed in as a coordinator through the provider."""
    from tests.oidc import claims_for, sign_in

    sign_in(page, gaps_server, oidc_provider, "kim", claims_for("kim", "tvaers-koordinatorer"))
    return page


def _label(page: object, select: str, value: str) -> str:
    text: str = page.locator(f'{select} option[value="{value}"]').inner_text()  # type: ignore[attr-defined]
    return text


def test_filter_counts_follow_the_query(gaps_server: str, coordinator: object) -> None:
    from playwright.sync_api import Page, expect

    page = coordinator
    assert isinstance(page, Page)
    page.goto(gaps_server + "/")
    expect(page.locator('#sector option[value="region"]')).to_have_text("region")  # no query
    page.locator("#q").press_sequentially("skærmbesøg", delay=15)
    expect(page.locator('#sector option[value="region"]')).to_have_text(
        re.compile(r"region \(\d+\)")
    )
    expect(page.locator('#kind option[value="unit"]')).to_have_text(re.compile(r"Enheder \(\d+\)"))
    before = {v: _label(page, "#sector", v) for v in ("kommune", "region", "stat")}
    total = int(re.findall(r"\d+", page.locator("#status").inner_text())[0])
    kinds = [
        int(re.findall(r"\((\d+)\)", _label(page, "#kind", k))[0])
        for k in ("unit", "person", "trial")
    ]
    # No kind chosen: every result counts under its kind, and a kind's own bar may add more.
    assert sum(kinds) >= total

    page.locator("#q").fill("klarsprog breve")
    expect(page.locator("#status")).to_contain_text("for »klarsprog breve«")
    after = {v: _label(page, "#sector", v) for v in ("kommune", "region", "stat")}
    assert after != before
    page.select_option("#sector", "stat")  # choosing a value keeps the other values' counts
    expect(page.locator("#results .card").first).to_be_visible()
    assert _label(page, "#sector", "region") == after["region"]
    _shot(page, "search-counts.png")

    page.locator("#q").fill("")
    page.locator("#q").press("Escape")
    expect(page.locator('#sector option[value="region"]')).to_have_text("region")


def test_the_gap_page_lists_a_query_that_found_little(
    gaps_server: str, coordinator: object
) -> None:
    from playwright.sync_api import Page, expect

    page = coordinator
    assert isinstance(page, Page)
    page.goto(gaps_server + "/?kind=trial&sector=stat")
    page.locator("#q").press_sequentially("Robotplæneklipper i parken", delay=20)
    expect(page.locator("#status")).to_contain_text("Ingen resultater for »Robotplæneklipper")
    page.wait_for_timeout(2600)  # the typing rests: the query counts once
    page.locator("#q").press("Enter")  # and asking it again by Enter does not count it twice

    page.goto(gaps_server + "/soegehuller?dage=7")
    expect(page.locator("h1")).to_have_text("Det leder folk efter, som ingen har skrevet om")
    expect(page.locator(".lead")).to_contain_text("visitkort")
    row = page.locator("#gaps tbody tr", has_text="robotplæneklipper i parken")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("1")
    # Nothing among the filters, and only weak results without them: a gap in what is written.
    expect(row.locator("td").nth(2)).to_contain_text("kun svage resultater")
    listed = page.locator("#gaps tbody td:first-child a").all_inner_texts()
    assert [q for q in listed if q.startswith("rob")] == ["robotplæneklipper i parken"]  # not
    # "rob", "robotplæne" … from the typing
    _shot(page, "search-gaps.png")
    row.locator("a").click()
    page.wait_for_url(re.compile(r".*/\?q=robotpl%C3%A6neklipper"))
    expect(page.locator("#q")).to_have_value("robotplæneklipper i parken")
