"""Search gaps: normalised counts per day, batched writes, retention, off switch, erasure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from indexer import search_gaps
from indexer.search_gaps import Asking, SearchGapLog, Weak, counted_query
from indexer.store import Store
from service.app import create_app
from service.auth import Role, User, current_user
from service.config import Settings
from tests.fakes import FakeEmbedder
from tests.folders import assert_no_traces_soon, traces

pytest_plugins = ("tests.conftest_service",)

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture(autouse=True)
def _one_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every count in these tests falls on TODAY, even when a run crosses midnight UTC (a run
    that did once failed on its dates)."""
    monkeypatch.setattr(search_gaps, "today_utc", lambda: TODAY)


WEAK = Weak(cosine_below=0.85, coverage_below=0.4)
NOWHERE = {"organisation": "Digitaliseringsstyrelsen", "kind": "trial"}  # no such record


def _signed_in(app: FastAPI, role: Role) -> None:
    app.dependency_overrides[current_user] = lambda: User("s1", "Test", role)


@pytest.fixture
def gaps_client(
    home: Path, settings_factory: Callable[..., Settings]
) -> Iterator[tuple[FastAPI, TestClient]]:
    """Every asked query is written at once (the threshold has its own test)."""
    app = create_app(settings_factory(home, search_gaps_min_askings=1), embedder=FakeEmbedder())
    with TestClient(app) as client:
        yield app, client


def _rows(app: FastAPI) -> list[tuple[str, dt.date, int]]:
    state = app.state.tvaers
    state.gaps.maintain()
    rows: list[tuple[str, dt.date, int]] = state.gaps.log.rows()
    return rows


# Normalisation and the table --------------------------------------------------------------


def test_a_query_is_counted_as_nfc_lower_case_single_spaced_text() -> None:
    decomposed = "Ældrepleje  om\tNATTEN "
    assert counted_query(decomposed) == "ældrepleje om natten"
    assert counted_query("A\u030angstrøm") == counted_query("Ångstrøm") == "ångstrøm"
    assert counted_query("x" * 600) == "x" * 200
    assert counted_query("   ") == ""
    assert counted_query("mit\x00id\u202e") == "mit id"  # no NUL or bidi marks in the table
    assert counted_query("hvem er anne.holm@faxe.dk") == ""  # an address names a person


def test_an_erased_persons_name_leaves_the_counted_searches(tmp_path: Path) -> None:
    log = _log(tmp_path)  # the tables come from the schema's migrations, not from the log
    day = dt.date(2026, 12, 1)
    for query in ("Ingeborg Skovsgaard", "skovsgaard sprog", "hjemmepleje om natten"):
        log.count(Asking(counted_query(query), day, 0, 0.0, 0.0))
    log.flush()
    log.count(Asking("ingeborg", day, 0, 0.0, 0.0))  # still pending when she is erased
    assert log.forget_naming("Ingeborg Skovsgaard", "ingeborg.skovsgaard@faxe.dk") == 2
    log.flush()
    assert [q for q, _, _ in log.rows()] == ["hjemmepleje om natten"]


def _log(tmp_path: Path) -> SearchGapLog:
    return SearchGapLog(Store(f"sqlite:///{tmp_path / 'gaps.db'}").engine)


def _asking(query: str, day: dt.date = TODAY, hits: int = 0, cosine: float = 0.0) -> Asking:
    return Asking(counted_query(query), day, hits, cosine, 0.0)


def test_counts_add_up_across_flushes_and_keep_the_best_outcome(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.count(_asking("Robotstøvsuger"))
    log.count(_asking("robotstøvsuger ", hits=3, cosine=0.5))
    assert log.rows() == []  # nothing is written until a flush
    assert log.flush() == 1
    log.count(_asking("ROBOTSTØVSUGER"))
    log.flush()
    assert log.rows() == [("robotstøvsuger", TODAY, 3)]
    [gap] = log.gaps(TODAY, WEAK)
    assert (gap.count, gap.hits, gap.best_cosine) == (3, 3, 0.5)


def test_no_results_and_weak_results_are_told_apart_and_good_ones_are_left_out(
    tmp_path: Path,
) -> None:
    log = _log(tmp_path)
    for _ in range(3):
        log.count(_asking("hundeskov"))  # no results
    log.count(_asking("vindmøller", hits=12, cosine=0.80))  # weak: far in meaning, few words
    log.count(_asking("hjemmepleje", hits=40, cosine=0.90))  # a good answer
    log.count(Asking("klarsprog", TODAY, 5, 0.70, 1.0))  # holds every word: not weak
    log.flush()
    gaps = log.gaps(TODAY, WEAK)
    assert [(g.query, g.count, g.hits) for g in gaps] == [
        ("hundeskov", 3, 0),
        ("vindmøller", 1, 12),
    ]


def test_rows_of_good_outcomes_are_not_listed_as_gaps(tmp_path: Path) -> None:
    """The service writes only poor outcomes; rows written under an older threshold (or by hand)
    are judged by the current one, over the best outcome of the period."""
    log = _log(tmp_path)
    log.count(_asking("mitid", day=TODAY - dt.timedelta(days=3)))
    log.count(_asking("mitid", hits=8, cosine=0.9))
    log.flush()
    assert log.gaps(TODAY, WEAK) == []  # today it was answered
    assert [g.query for g in log.gaps(TODAY - dt.timedelta(days=5), WEAK)] == []


def test_a_query_is_written_once_it_was_asked_often_enough_that_day(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'gaps.db'}")
    log = SearchGapLog(store.engine, min_askings=2)
    log.count(_asking("ingeborg skovsgaard"))  # once: a name, say
    log.count(_asking("hundeskov"))
    log.flush()
    assert log.rows() == []
    log.count(_asking("hundeskov"))
    log.flush()
    assert log.rows() == [("hundeskov", TODAY, 2)]
    log.count(_asking("hundeskov"))  # past the threshold: every asking is written
    log.flush()
    assert log.rows() == [("hundeskov", TODAY, 3)]
    log.count(_asking("ingeborg skovsgaard", day=TODAY - dt.timedelta(days=1)))
    log.forget_before(TODAY - dt.timedelta(days=30))  # yesterday's one-offs are dropped unwritten
    log.count(_asking("ingeborg skovsgaard", day=TODAY - dt.timedelta(days=1)))
    log.flush()
    assert log.rows() == [("hundeskov", TODAY, 3)]
    assert traces(tmp_path, [b"ingeborg"]) == []
    store.close()


def test_the_service_holds_one_off_queries_in_memory(
    home: Path, settings_factory: Callable[..., Settings]
) -> None:
    app = create_app(settings_factory(home), embedder=FakeEmbedder())  # the default: 2
    with TestClient(app) as client:
        client.get("/api/search", params={"q": "xqzv blorp"})
        assert _rows(app) == []
        client.get("/api/search", params={"q": "Xqzv Blorp"})
        assert _rows(app) == [("xqzv blorp", TODAY, 2)]


def test_retention_deletes_days_before_the_oldest_kept(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.count(_asking("gammel", day=TODAY - dt.timedelta(days=90)))
    log.count(_asking("ny", day=TODAY - dt.timedelta(days=89)))
    log.flush()
    assert log.forget_before(TODAY - dt.timedelta(days=89)) == 1
    assert [r[0] for r in log.rows()] == ["ny"]


def test_counts_on_postgres_add_up_like_on_sqlite(postgres_url: str) -> None:
    store = Store(postgres_url)
    log = SearchGapLog(store.engine)
    log.count(_asking("sprogscreening"))
    log.flush()
    log.count(_asking("Sprogscreening", hits=2, cosine=0.3))
    log.flush()
    assert log.rows() == [("sprogscreening", TODAY, 2)]
    [gap] = log.gaps(TODAY, WEAK)
    assert (gap.hits, gap.best_cosine) == (2, 0.3)
    assert log.erase("SPROGSCREENING") == 1 and log.rows() == []
    store.close()


# Through the service ----------------------------------------------------------------------


def test_searches_people_ask_are_counted_typing_and_paging_are_not(
    gaps_client: tuple[FastAPI, TestClient],
) -> None:
    app, client = gaps_client
    assert client.get("/api/search", params={"q": "Xqzv blorp"}).status_code == 200
    # A later page is not counted (here there is none: the offset is refused).
    assert client.get("/api/search", params={"q": "xqzv blorp", "offset": 10}).status_code == 422
    client.get("/api/search", params={"q": "xqzv", "counted": "false"})  # while typing
    client.get("/api/suggest", params={"q": "xqzv blo"})
    assert client.get("/", params={"q": "xqzv  blorp "}).status_code == 200  # the page's form
    assert _rows(app) == [("xqzv blorp", TODAY, 2)]


def test_searches_answered_well_are_not_written_at_all(
    gaps_client: tuple[FastAPI, TestClient],
) -> None:
    """People search for colleagues by name; a search that finds them leaves no row."""
    app, client = gaps_client
    for query in ("Ingeborg Skovsgaard", "skærmbesøg om natten", "klarsprog"):
        assert client.get("/api/search", params={"q": query}).json()["total"] > 0
        client.get("/", params={"q": query})
    # A filter that leaves nothing says nothing about what is written.
    narrowed = {"q": "klarsprog", "sector": "region", "kind": "trial"}
    assert client.get("/api/search", params=narrowed).json()["total"] == 0
    client.get("/", params=narrowed)
    assert _rows(app) == []


def test_erasing_a_person_erases_the_counted_queries_naming_them(
    gaps_client: tuple[FastAPI, TestClient], home: Path, auth: dict[str, str]
) -> None:
    app, client = gaps_client
    gaps = app.state.tvaers.gaps
    gaps.log.count(_asking("hvor sidder skovsgaard nu"))  # e.g. a weak search for her office
    gaps.log.count(_asking("ingeborg.skovsgaard@faxe.dk"))
    _rows(app)
    gaps.log.count(_asking("ingeborgs kalender"))  # not written yet: goes too
    gaps.log.count(_asking("hundeskov"))
    assert client.delete("/api/people/p001", headers=auth).status_code == 200
    assert _rows(app) == [("hundeskov", TODAY, 1)]
    client.get("/api/search", params={"q": "Ingeborg Skovsgaard"})  # gone: finds little now
    assert _rows(app) == [("hundeskov", TODAY, 1)]  # and is not counted by this process
    assert traces(home, [b"skovsgaard nu", b"ingeborgs kalender"]) == []
    assert_no_traces_soon(home, [b"ingeborg.skovsgaard@faxe.dk"])  # her record: the snapshot


def test_counting_can_be_switched_off(
    home: Path, settings_factory: Callable[..., Settings]
) -> None:
    app = create_app(settings_factory(home, search_gaps=False), embedder=FakeEmbedder())
    with TestClient(app) as client:
        client.get("/api/search", params={"q": "xqzv blorp"})
        client.get("/", params={"q": "xqzv blorp"})
        assert _rows(app) == []
        _signed_in(app, Role.coordinator)
        assert client.get("/api/search-gaps").json()["enabled"] is False


def test_retention_setting_drops_old_rows_when_the_service_writes(
    home: Path, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(home, search_gaps_retention_days=7, search_gaps_min_askings=1)
    app = create_app(settings, embedder=FakeEmbedder())
    with TestClient(app) as client:
        gaps = app.state.tvaers.gaps
        gaps.log.count(_asking("for længe siden", day=TODAY - dt.timedelta(days=7)))
        gaps.log.count(_asking("i sidste uge", day=TODAY - dt.timedelta(days=6)))
        gaps.log.flush()
        gaps._last_retention = 0.0  # as at start: the next write applies the retention
        client.get("/api/search", params={"q": "xqzv blorp"})
        assert [r[0] for r in _rows(app)] == ["i sidste uge", "xqzv blorp"]


def test_the_api_lists_gaps_to_coordinators_only(gaps_client: tuple[FastAPI, TestClient]) -> None:
    app, client = gaps_client
    client.get("/api/search", params={"q": "xqzv blorp"})  # nothing like it: weak
    client.get("/api/search", params={"q": "xqzv blorp"})
    # No results within filters, while others wrote about it: no gap (the page shows the words).
    client.get("/api/search", params={"q": "klarsprog", **NOWHERE})
    client.get("/api/search", params={"q": "klarsprog breve"})  # found well
    client.get("/api/search", params={"q": "hundeskov", **NOWHERE})  # weak also without them
    assert client.get("/api/search-gaps").status_code == 401
    _signed_in(app, Role.reader)
    assert client.get("/api/search-gaps").status_code == 403
    _signed_in(app, Role.unit_editor)
    assert client.get("/api/search-gaps").status_code == 403
    _signed_in(app, Role.coordinator)
    body = client.get("/api/search-gaps", params={"days": 7}).json()
    assert [(g["query"], g["count"], g["outcome"]) for g in body["gaps"]] == [
        ("xqzv blorp", 2, "weak"),
        ("hundeskov", 1, "weak"),
    ]
    assert body["retention_days"] == 90
    assert client.delete("/api/search-gaps").status_code == 403  # erasing is the admin's


def test_erasure_of_one_query_and_of_all_leaves_no_trace_in_the_home_folder(
    gaps_client: tuple[FastAPI, TestClient], home: Path, auth: dict[str, str]
) -> None:
    app, client = gaps_client
    client.get("/api/search", params={"q": "zebrafodring i haven"})
    client.get("/api/search", params={"q": "giraffodring"})
    _rows(app)
    assert traces(home, [b"zebrafodring", b"giraffodring"]) != []
    erased = client.delete(
        "/api/search-gaps", params={"q": "Zebrafodring  i HAVEN"}, headers=auth
    )  # the legacy key counts as admin
    assert erased.status_code == 200 and erased.json() == {"deleted": 1}
    assert traces(home, [b"zebrafodring"]) == []
    assert [r[0] for r in _rows(app)] == ["giraffodring"]
    _signed_in(app, Role.admin)
    assert client.delete("/api/search-gaps").json() == {"deleted": 1}
    assert _rows(app) == [] and traces(home, [b"giraffodring"]) == []


def test_the_page_lists_gaps_with_a_link_to_the_search_for_coordinators(
    gaps_client: tuple[FastAPI, TestClient],
) -> None:
    app, client = gaps_client
    client.get("/api/search", params={"q": "Hundeskov", **NOWHERE})
    page = {"Accept": "text/html"}
    assert client.get("/soegehuller", headers=page).status_code == 401
    _signed_in(app, Role.reader)
    refused = client.get("/soegehuller", headers=page)
    assert refused.status_code == 403 and "koordinator" in refused.text
    _signed_in(app, Role.coordinator)
    answer = client.get("/soegehuller", params={"dage": 7}, headers=page)
    assert answer.status_code == 200
    assert "Det leder folk efter, som ingen har skrevet om" in answer.text
    assert '<a href="/?q=hundeskov">hundeskov</a>' in answer.text
    assert "kun svage resultater" in answer.text and "visitkort" in answer.text


def test_the_cli_lists_and_erases_the_counts(home: Path) -> None:
    from click.testing import CliRunner

    from service import cli

    store = Store(f"sqlite:///{home / 'tvaers.db'}")
    log = SearchGapLog(store.engine)
    log.count(_asking("hundeskov"))
    log.count(_asking("hundeskov"))
    log.flush()
    store.close()
    runner = CliRunner()
    listed = runner.invoke(cli.main, ["--home", str(home), "search-gaps", "--days", "7"])
    assert listed.exit_code == 0, listed.output
    assert "     2  hundeskov  [ingen resultater" in listed.output
    erased = runner.invoke(cli.main, ["--home", str(home), "search-gaps", "--erase-all"])
    assert "Slettede 1 rækker" in erased.output
    assert traces(home, [b"hundeskov"]) == []


# Counted searches hold no personal data (issue 20) ------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "ring 40 11 22 33",  # a phone number, spaced
        "+4540112233",  # with the country code
        "tlf. 40-11-22-33 om natten",
        "cpr 010190-1234",  # CPR-like: ddmmyy-xxxx
        "0101901234",
        "hvem er Vibeke.Tarnow@faxe.dk",  # an e-mail address
    ],
)
def test_numbers_and_addresses_naming_a_person_are_never_counted(typed: str) -> None:
    assert counted_query(typed) == ""


def test_ordinary_numbers_still_count() -> None:
    assert counted_query("budget 2026 for 120 borgere") == "budget 2026 for 120 borgere"


def test_the_name_of_a_person_in_the_index_is_never_counted(tmp_path: Path) -> None:
    from indexer.records import Record
    from indexer.updates import upsert_record

    store = Store(f"sqlite:///{tmp_path / 'gaps.db'}")
    embedder = FakeEmbedder()
    unit = {"id": "u1", "name": "Hjemmeplejen", "organisation": "Faxe Kommune"}
    unit |= {"sector": "kommune", "description": "Pleje om natten."}
    upsert_record(store, embedder, Record("unit", "u1", unit))
    person = {"id": "p1", "name": "Vibeke  Tarnow", "unit_id": "u1", "expertise": "jura"}
    upsert_record(store, embedder, Record("person", "p1", person))
    log = SearchGapLog(store.engine)
    for typed in ("Vibeke Tarnow", "hvad ved vibeke tarnow om lifte", "lifte om natten"):
        log.count(Asking(counted_query(typed), TODAY, 0, 0.0, 0.0))

    log.flush()

    assert [q for q, _, _ in log.rows()] == ["lifte om natten"]
    store.close()
