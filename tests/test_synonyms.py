"""Synonyms and abbreviations: expansion, a misspelt synonym, the admins' list, "Mente du"."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from engine.search import Searcher
from engine.synonyms import WEIGHT, Synonyms, SynonymTable, bundled, parse
from engine.typos import surface_form
from indexer.analysis import terms
from indexer.build import Home
from indexer.store import Store
from service.app import create_app
from service.auth import Role, User, current_user
from service.config import Settings
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service", "tests.oidc")

PPR = Synonyms([["PPR", "pædagogisk psykologisk rådgivning"]])


def test_an_abbreviation_adds_its_phrase_below_the_weight_of_a_typed_word() -> None:
    added = PPR.expand(terms("ppr og ordblindhed"))
    assert set(added) == {"paedagogisk", "psykologisk", "raadgivning"}
    assert all(0 < w < 1 for w in added.values())
    assert sum(added.values()) == pytest.approx(WEIGHT)


def test_a_phrase_fires_only_whole_and_adds_the_abbreviation() -> None:
    assert PPR.expand(terms("pædagogisk psykologisk rådgivning")) == {"ppr": WEIGHT}
    assert PPR.expand(terms("psykologisk rådgivning")) == {}  # a part is not the phrase


def test_the_bundled_list_has_the_public_sector_abbreviations() -> None:
    synonyms = bundled()
    assert len(synonyms.groups) >= 40
    for abbreviation, meaning in [
        ("sosu", "sundhedsassistent"),
        ("fgu", "grunduddannelse"),
        ("apv", "arbejdspladsvurdering"),
        ("plejehjem", "plejecenter"),
        ("star", "rekruttering"),
    ]:
        assert set(terms(meaning)) <= set(synonyms.expand([abbreviation])), abbreviation


def test_the_list_format_is_checked_with_danish_messages() -> None:
    assert parse("# kommentar\n\nplejehjem, plejecenter\n") == [["plejehjem", "plejecenter"]]
    with pytest.raises(ValueError, match="Linje 2 har kun ét ord"):
        parse("a1, b1\nplejehjem\n")
    with pytest.raises(ValueError, match="Linje 1 har et led uden søgbare ord"):
        parse("og, i\n")


def _searcher(searcher: Searcher, synonyms: Synonyms) -> Searcher:
    return Searcher(
        searcher.index, searcher.embedder, caches=searcher.caches, synonyms=lambda: synonyms
    )


HOLDING_BORGERSERVICE = {"u2", "u7", "p2"}  # the mini data's records with the word


def _by_words(searcher: Searcher, query: str) -> set[str]:
    hits = searcher.search_by_text(query, limit=50).hits
    return {h.id for h in hits if h.explanation.matched_by != "meaning"}


def test_a_synonym_finds_what_its_partner_matches(mini_searcher: Searcher) -> None:
    assert _by_words(mini_searcher, "xbs") == set()
    searcher = _searcher(mini_searcher, Synonyms([["xbs", "borgerservice"]]))
    assert _by_words(searcher, "xbs") == HOLDING_BORGERSERVICE
    hit = next(h for h in searcher.search_by_text("xbs", limit=50).hits if h.id == "u2")
    assert hit.explanation.matched_terms == ["borgerservice"]


def test_a_misspelt_synonym_still_fires(mini_searcher: Searcher) -> None:
    synonyms = Synonyms([["xbs", "borgerservice"], ["sundhedsmedhjælper", "borgerservice"]])
    searcher = _searcher(mini_searcher, synonyms)
    short = searcher.search_by_text("xbz")  # one slip in an abbreviation of the list
    assert short.corrections == {"xbz": "xbs"}
    assert _by_words(searcher, "xbz") == HOLDING_BORGERSERVICE
    long = searcher.search_by_text("sundhedsmedhjalper")  # not an indexed word at all
    assert long.corrections == {"sundhedsmedhjalper": "sundhedsmedhjælper"}  # as written
    assert _by_words(searcher, "sundhedsmedhjalper") == HOLDING_BORGERSERVICE
    assert searcher.search_by_text("xyz").corrections == {}  # not a slip of "xbs"


def test_mente_du_shows_the_word_as_written_not_its_stem(mini_searcher: Searcher) -> None:
    results = mini_searcher.search_by_text("borgerservise i haslev")
    assert results.corrections == {"borgerservise": "borgerservice"}
    assert surface_form("borgerservic", mini_searcher.index) == "borgerservice"
    assert surface_form("ordfindesikke", mini_searcher.index) is None


def test_the_admins_list_applies_to_the_next_searches_in_every_process(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'tvaers.db'}")
    now = [0.0]
    # As two processes on one database (their own clocks would do the same, a quarter second on).
    one = SynonymTable(store.engine, clock=lambda: now[0])
    other = SynonymTable(store.engine, clock=lambda: now[0])
    assert one.current().expand(["xbs"]) == {}
    assert other.current().expand(["xbs"]) == {}
    one.write("xbs, borgerservice\n")
    assert one.current().expand(["xbs"]) == {"borgerservic": WEIGHT}  # the saver sees it at once
    now[0] += other.check_every
    assert other.current().expand(["xbs"]) == {"borgerservic": WEIGHT}
    assert "plejecent" in other.current().expand(["plejehjem"])  # the bundled list stays
    one.write("xbs, borgerservice, kvt\n")
    now[0] += other.check_every
    assert "kvt" in other.current().expand(["xbs"])
    with pytest.raises(ValueError):
        one.write("kun\n")
    now[0] += other.check_every
    assert "kvt" in other.current().expand(["xbs"])  # a refused list changes nothing
    store.close()


def test_a_home_s_old_synonyms_file_moves_into_the_database(
    home: Path, settings_factory: Callable[..., Settings]
) -> None:
    (home / "synonyms.txt").write_text("xbs, borgerservice\n", encoding="utf-8")
    app = create_app(settings_factory(home), embedder=FakeEmbedder())
    with TestClient(app):
        assert app.state.tvaers.synonyms.text() == "xbs, borgerservice\n"
    assert not (home / "synonyms.txt").exists()
    assert (home / "synonyms.txt.imported").exists()


@pytest.fixture
def synonyms_client(
    home: Path, settings_factory: Callable[..., Settings]
) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(settings_factory(home), embedder=FakeEmbedder())
    with TestClient(app) as client:
        yield app, client


def _stored_list(home: Path) -> str:
    store = Home(home).open_store()
    try:
        return SynonymTable(store.engine).text()
    finally:
        store.close()


def _signed_in(app: FastAPI, role: Role) -> None:
    app.dependency_overrides[current_user] = lambda: User("s1", "Test", role)


def test_the_api_is_for_admins_and_a_change_applies_to_the_next_search(
    synonyms_client: tuple[FastAPI, TestClient], auth: dict[str, str], home: Path
) -> None:
    app, client = synonyms_client
    assert client.get("/api/synonyms").status_code == 401
    groups = {"groups": [["xbs", "borgerservice"]]}
    assert client.put("/api/synonyms", json=groups).status_code == 401
    _signed_in(app, Role.coordinator)
    assert client.get("/api/synonyms").status_code == 403
    assert client.put("/api/synonyms", json=groups).status_code == 403
    app.dependency_overrides.clear()
    before = client.get("/api/search", params={"q": "xbs"}).json()
    saved = client.put("/api/synonyms", json=groups, headers=auth)  # the legacy key is admin
    assert saved.status_code == 200 and saved.json()["groups"] == groups["groups"]
    assert _stored_list(home) == "xbs, borgerservice\n"
    assert client.get("/api/synonyms", headers=auth).json()["bundled"] >= 40
    after = client.get("/api/search", params={"q": "xbs"}).json()
    assert [h["explanation"]["matched_by"] for h in before["hits"]].count("meaning") == len(
        before["hits"]
    )
    assert any(h["explanation"]["matched_by"] != "meaning" for h in after["hits"])
    bad = client.put("/api/synonyms", json={"groups": [["alene"]]}, headers=auth)
    assert bad.status_code == 422 and "mindst to ord" in bad.text


def test_the_page_edits_the_list_for_admins_with_a_csrf_token(
    signed_in: Callable[..., TestClient], home: Path
) -> None:
    editor = signed_in("bo", "tvaers-redaktoerer")
    assert editor.get("/admin/synonymer").status_code == 403
    admin = signed_in("ada", "tvaers-admins")
    shown = admin.get("/admin/synonymer")
    assert shown.status_code == 200 and "Synonymer og forkortelser" in shown.text
    assert "pædagogisk psykologisk rådgivning" in shown.text  # the bundled list is shown
    match = re.search(r'name="csrf_token" value="([^"]+)"', shown.text)
    assert match is not None
    token = match.group(1)
    assert admin.post("/admin/synonymer", data={"liste": "a1, b1"}).status_code == 403
    refused = admin.post("/admin/synonymer", data={"liste": "alene\n", "csrf_token": token})
    assert refused.status_code == 422 and "Linje 1 har kun ét ord" in refused.text
    saved = admin.post(
        "/admin/synonymer", data={"liste": "xbs, borgerservice\r\n", "csrf_token": token}
    )
    assert saved.status_code == 200 and "Listen er gemt" in saved.text
    assert "xbs, borgerservice" in saved.text
    assert _stored_list(home) == "xbs, borgerservice\n"


def test_a_synonym_phrase_matches_only_where_a_document_holds_all_of_it() -> None:
    """ "SOSU" adds "social- og sundhedsassistent": "Social- og Boligstyrelsen" holds one of its
    words and is no match; a text with the whole phrase is, and shows the words it matched."""
    from indexer.index import SearchIndex
    from indexer.records import Document

    def unit(uid: str, text: str) -> Document:
        return Document("unit", uid, uid, text, text, "Staten", "stat", "Social")

    documents = [
        unit("u1", "Social- og Boligstyrelsen fører tilsyn med botilbud."),
        unit("u2", "Vi uddanner social- og sundhedsassistenter i praktik."),
        unit("u3", "Vejledning af SOSU-elever i hjemmeplejen."),
        unit("u4", "Madservice til ældre borgere."),
    ]
    embedder = FakeEmbedder()
    vectors = embedder.embed_passages([d.text for d in documents])
    index = SearchIndex.build(documents, vectors, model_id=embedder.model_id)
    searcher = Searcher(index, embedder, synonyms=lambda: bundled())
    hits = {h.id: h for h in searcher.search_by_text("sosu").hits}
    assert hits["u3"].explanation.matched_terms == ["sosu"]  # a part of "SOSU-elever"
    assert "social" in hits["u2"].explanation.matched_terms
    assert "u1" not in hits or hits["u1"].explanation.matched_by == "meaning"
