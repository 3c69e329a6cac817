"""Names weigh more than text, and a unit answers for what its people and trials know."""

from __future__ import annotations

from fastapi.testclient import TestClient

from engine.results import Filters
from engine.search import Searcher
from indexer.index import SearchIndex
from indexer.records import Document, Record, documents_from_records
from tests.fakes import FakeEmbedder


def searcher_over(records: list[Record]) -> Searcher:
    documents: list[Document] = documents_from_records(records)
    embedder = FakeEmbedder()
    vectors = embedder.embed_passages([d.text for d in documents])
    return Searcher(SearchIndex.build(documents, vectors, model_id=embedder.model_id), embedder)


def unit(uid: str, name: str, description: str, area: str = "Borgerservice") -> Record:
    fields = {"name": name, "organisation": "Faxe Kommune", "sector": "kommune", "area": area}
    return Record("unit", uid, {**fields, "description": description, "competencies": ""})


def person(pid: str, unit_id: str, expertise: str) -> Record:
    return Record(
        "person",
        pid,
        {"name": f"Kollega {pid}", "title": "", "unit_id": unit_id, "expertise": expertise},
    )


def test_a_unit_named_for_the_query_ranks_above_units_that_mention_it() -> None:
    searcher = searcher_over(
        [
            unit(
                "u1",
                "Borgerservice Haslev",
                "Pas, kørekort, sundhedskort og MitID i rådhuset.",
            ),
            unit(
                "u2",
                "Skattestyrelsen – Borgerkontakt",
                "Borgerservice: borgerservicecentrene og borgerservice.",
            ),
            *(
                unit(f"u{n}", f"Enhed {n}", f"Arbejde nummer {n} med {w}.", area=w)
                for n, w in enumerate(["pleje", "skat", "veje", "skoler", "sundhed"], start=3)
            ),
        ]
    )
    for query in ("borgerservice", "borgerservise", "Borgerservice Haslev"):
        assert searcher.search_by_text(query).hits[0].id == "u1", query


def test_a_search_for_units_finds_the_unit_whose_colleague_knows_it() -> None:
    searcher = searcher_over(
        [
            unit("u1", "Træning og Rehabilitering", "Genoptræning efter sygehusophold.", "Sundhed"),
            unit(
                "u2", "Tolkeservice", "Vi formidler tegnsprog og tolkning til borgere.", "Sundhed"
            ),
            unit("u3", "Madservice", "Varm mad til ældre borgere hver dag.", "Ældre"),
            unit("u4", "Vej og Park", "Snerydning og saltning af veje om vinteren.", "Teknik"),
            person("p1", "u1", "Taler tegnsprog;genoptræning af hænder"),
            person("p2", "u3", "Kostvejledning"),
        ]
    )
    hits = searcher.search_by_text("tegnsprog", Filters(kind="unit")).hits
    units = [h.id for h in hits]
    assert units[:2] == ["u2", "u1"]  # its own visitkort first, then its colleague's
    assert hits[0].explanation.via is None
    via = hits[1].explanation.via  # the page says whose knowledge found the unit
    assert via is not None and (via.kind, via.id) == ("person", "p1")
    assert hits[1].explanation.matched_terms == ["tegnsprog"]
    everyone = searcher.search_by_text("tegnsprog", with_facet_counts=True)
    assert everyone.facet_counts is not None
    assert everyone.facet_counts["kind"]["unit"] == len(units)


pytest_plugins = ("tests.conftest_service",)


def test_the_api_and_the_page_name_the_colleague_a_unit_was_found_through(
    client: TestClient,
) -> None:
    """Only p001's expertise says "tablets i hjemmeplejen"; filtered to units, Hjemmeplejen
    Nat is found through her, and the card says so with a link to her."""
    body = client.get("/api/search", params={"q": "tablets", "kind": "unit"}).json()
    first = body["hits"][0]
    assert first["id"] == "u001"
    assert first["explanation"]["via"] == {
        "kind": "person",
        "id": "p001",
        "title": first["explanation"]["via"]["title"],
        "url": "/enheder/u001#person-p001",
    }
    page = client.get("/", params={"q": "tablets", "kind": "unit"}).text
    assert "Fundet gennem kollegaen" in page
