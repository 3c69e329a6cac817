"""Names weigh more than text, and a unit answers for what its people and trials know."""

from __future__ import annotations

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


def test_the_api_names_the_colleague_a_unit_was_found_through() -> None:
    from service.api.hits import hit_public

    searcher = searcher_over(
        [
            unit("u1", "Træning og Rehabilitering", "Genoptræning efter sygehusophold.", "Sundhed"),
            unit("u2", "Madservice", "Varm mad til ældre borgere hver dag.", "Ældre"),
            person("p1", "u1", "Taler tegnsprog"),
        ]
    )
    hit = searcher.search_by_text("tegnsprog", Filters(kind="unit")).hits[0]
    public = hit_public(hit, searcher.index).model_dump()
    assert public["id"] == "u1"
    assert public["explanation"]["via"] == {
        "kind": "person",
        "id": "p1",
        "title": "Kollega p1",
        "url": "/enheder/u1#person-p1",
    }
    assert public["explanation"]["matched_terms"] == ["tegnsprog"]


def test_the_card_names_the_colleague_with_a_link() -> None:
    from service.api.hits import hit_public
    from service.web import templates

    searcher = searcher_over(
        [
            unit("u1", "Træning og Rehabilitering", "Genoptræning efter sygehusophold.", "Sundhed"),
            person("p1", "u1", "Taler tegnsprog"),
        ]
    )
    hit = searcher.search_by_text("tegnsprog", Filters(kind="unit")).hits[0]
    card = templates.env.from_string('{% from "_hit.html" import card %}{{ card(hit) }}')
    html = card.render(hit=hit_public(hit, searcher.index))
    assert 'Fundet gennem kollegaen <a href="/enheder/u1#person-p1">Kollega p1</a>:' in html
    assert "<mark>tegnsprog</mark>" in html
