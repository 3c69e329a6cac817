"""Search behaviour on the small Danish folder, with the deterministic fake embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.results import Filters
from engine.search import Searcher
from indexer.analysis import terms
from indexer.index import SearchIndex
from tests.fakes import FakeEmbedder

QUERIES = ["skærmbesøg", "MitID", "klarsprog breve", "udeskole", "ældre", "Power BI", "data"]


def test_exact_name_ranks_the_person_first(mini_searcher: Searcher) -> None:
    hits = mini_searcher.search_by_text("Ali Demir").hits
    assert (hits[0].kind, hits[0].id) == ("person", "p4")


def test_exact_term_finds_every_holder(mini_searcher: Searcher) -> None:
    hits = mini_searcher.search_by_text("MitID", limit=20).hits
    found = {h.id for h in hits if h.explanation.matched_by != "meaning"}
    assert {"u2", "u7", "p2", "p6"} <= found


def test_person_hit_names_its_unit(mini_searcher: Searcher) -> None:
    hit = mini_searcher.search_by_text("Jens Bak").hits[0]
    assert (hit.unit_id, hit.unit_name, hit.organisation) == (
        "u2",
        "Borgerservice Haslev",
        "Faxe Kommune",
    )


def test_trial_hit_names_its_unit(mini_searcher: Searcher) -> None:
    hit = mini_searcher.search_by_text("rykkerbreve", Filters(kind="trial")).hits[0]
    assert (hit.id, hit.unit_id, hit.unit_name) == ("t2", "u3", "Kommunikation")


def test_typo_is_read_as_the_indexed_word(mini_searcher: Searcher) -> None:
    results = mini_searcher.search_by_text("borgerservise")
    assert results.corrections == {"borgerservise": "borgerservice"}  # as written, not stems
    assert results.hits[0].id == "u2"


def test_missing_danish_letters_still_match(mini_searcher: Searcher) -> None:
    results = mini_searcher.search_by_text("skaermbesoeg om natten", Filters(kind="trial"))
    assert results.corrections == {}
    assert results.hits[0].id == "t1"


def test_explanation_highlights_the_matched_words(mini_searcher: Searcher) -> None:
    hit = mini_searcher.search_by_text("klarsprog", Filters(kind="unit")).hits[0]
    explanation = hit.explanation
    assert hit.id == "u3"
    assert explanation.matched_by in {"words", "both"}
    # The word itself and the compounds it is part of, as the text writes them.
    assert explanation.matched_terms == ["klarsprogsprojekt", "klarsprogsambassadører", "klarsprog"]
    marked = [explanation.snippet[s:e] for s, e in explanation.highlights]
    assert [terms(w)[0][:9] for w in marked] == ["klarsprog"] * 3


def test_empty_query_gives_no_hits(mini_searcher: Searcher) -> None:
    results = mini_searcher.search_by_text("   ")
    assert (results.hits, results.total) == ([], 0)


def test_extra_columns_come_back_as_metadata(mini_searcher: Searcher) -> None:
    hit = mini_searcher.search_by_text("Borgerservice Haslev", Filters(kind="unit")).hits[0]
    assert hit.metadata["phone"] == "56 20 30 02"


def test_filters_by_sector_and_organisation(mini_searcher: Searcher) -> None:
    state = mini_searcher.search_by_text("MitID", Filters(sector="stat")).hits
    assert state and {h.sector for h in state} == {"stat"}
    koege = mini_searcher.search_by_text("teknologi", Filters(organisation="køge kommune")).hits
    assert koege and {h.organisation for h in koege} == {"Køge Kommune"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.sampled_from(QUERIES),
    kind=st.sampled_from([None, "unit", "person", "trial"]),
    sector=st.sampled_from([None, "kommune", "region", "stat"]),
    area=st.sampled_from([None, "Ældre og sundhed", "Borgerservice"]),
)
def test_every_hit_satisfies_the_filters(
    mini_searcher: Searcher, query: str, kind: str | None, sector: str | None, area: str | None
) -> None:
    results = mini_searcher.search_by_text(query, Filters(kind, None, sector, area), limit=50)  # type: ignore[arg-type]
    for hit in results.hits:
        assert kind is None or hit.kind == kind
        assert sector is None or hit.sector == sector
        assert area is None or hit.area == area
    scores = [h.score for h in results.hits]
    assert scores == sorted(scores, reverse=True)
    assert len({(h.kind, h.id) for h in results.hits}) == len(results.hits)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.sampled_from(QUERIES), size=st.integers(1, 5))
def test_pages_add_up_to_the_full_list(mini_searcher: Searcher, query: str, size: int) -> None:
    full = mini_searcher.search_by_text(query, limit=100)
    paged = []
    for offset in range(0, full.available, size):
        paged += mini_searcher.search_by_text(query, limit=size, offset=offset).hits
    assert [(h.kind, h.id) for h in paged] == [(h.kind, h.id) for h in full.hits]


def test_similar_units_never_include_the_unit_itself(mini_searcher: Searcher) -> None:
    hits = mini_searcher.similar_units("u1", limit=20)
    assert hits and all(h.kind == "unit" and h.id != "u1" for h in hits)
    assert len(hits) == 7


def test_similar_units_from_other_organisations(mini_searcher: Searcher) -> None:
    hits = mini_searcher.similar_units("u1", other_organisations=True, limit=20)
    assert hits and all(h.organisation != "Faxe Kommune" for h in hits)
    assert hits[0].id == "u6"  # Køge's welfare technology unit also runs screen visits


def test_similar_units_of_unknown_unit_is_a_clear_error(mini_searcher: Searcher) -> None:
    from indexer.errors import NotFoundError

    with pytest.raises(NotFoundError, match="ingen enhed med id 'nope'"):
        mini_searcher.similar_units("nope")


@pytest.mark.parametrize(
    "filters",
    [
        Filters(kind="person"),  # a broad filter: the approximate index, oversampled
        Filters(organisation="Digitaliseringsstyrelsen"),  # a narrow one: exact on its rows
        Filters(sector="kommune", kind="trial"),
    ],
)
def test_filtered_search_on_an_approximate_index_matches_exact_search(
    mini_searcher: Searcher, fake_embedder: FakeEmbedder, filters: Filters
) -> None:
    exact = mini_searcher.index
    approximate = SearchIndex.build(
        list(exact.live_documents()),
        exact.vectors,
        model_id=exact.meta.model_id,
        exact_search_limit=5,
        pieces=exact.piece_vectors(np.arange(exact.size)),
    )
    assert approximate.meta.dense.type == "hnsw"
    for query in QUERIES:
        want = mini_searcher.search_by_text(query, filters, limit=10).hits
        got = Searcher(approximate, fake_embedder).search_by_text(query, filters, limit=10).hits
        assert [h.id for h in got] == [h.id for h in want]


def test_similar_units_metrics_count_pairs_by_organisation(
    mini_searcher: Searcher, tmp_path: Path
) -> None:
    from engine.evaluation import load_similar_units, similar_units_metrics

    labelled_csv = tmp_path / "similar.csv"
    labelled_csv.write_text("unit_id,similar\nu1,u6;u2\nu6,u1\n", encoding="utf-8")
    labelled = load_similar_units(labelled_csv)
    metrics = similar_units_metrics(mini_searcher, labelled)
    assert metrics["all"]["pairs"] == 3
    assert metrics["other organisation"]["pairs"] == 2  # u1–u6 both ways: Faxe and Køge
    assert metrics["same organisation"]["pairs"] == 1
    top3 = {
        unit: {h.id for h in mini_searcher.similar_units(unit, limit=3)} for unit in ("u1", "u6")
    }
    found = [n in top3[item.unit_id] for item in labelled for n in sorted(item.similar)]
    assert metrics["all"]["recall@3"] == round(sum(found) / len(found), 4)
    assert 0 < metrics["all"]["mrr@10"] <= 1


def test_similar_units_file_needs_neighbours(tmp_path: Path) -> None:
    from engine.evaluation import load_similar_units
    from indexer.errors import DataError

    labelled_csv = tmp_path / "similar.csv"
    labelled_csv.write_text("unit_id,similar\nu1,\n", encoding="utf-8")
    with pytest.raises(DataError, match="similar"):
        load_similar_units(labelled_csv)


def test_an_unknown_compound_is_split_into_parts_the_index_knows() -> None:
    from engine.expansion import split_compound

    words = {("sprog", False), ("arbejd", False), ("miljoe", True), ("skaermbesoeg", False)}
    words |= {("ordning", True), ("skol", False), ("team", True), ("demens", False)}
    inside_compounds = {("screening", True), ("gsordning", True), ("skaermbesoe", False)}

    def known_as(part: str, is_head: bool, as_word: bool) -> str | None:
        form = "skol" if part == "skole" else part  # as by its stem
        if (form, is_head) in words or (not as_word and (part, is_head) in inside_compounds):
            return form
        return None

    assert split_compound("sprogscreening", known_as) == ("sprog", "screening")
    assert split_compound("arbejdsmiljoe", known_as) == ("arbejd", "miljoe")  # linking s
    assert split_compound("skoleordning", known_as) == ("skol", "ordning")
    # Words of their own win over a cut that only compounds' starts and ends allow.
    assert split_compound("skaermbesoegsordning", known_as) == ("skaermbesoeg", "ordning")
    assert split_compound("demensteam", known_as) == ("demens", "team")  # a short word as head
    assert split_compound("screeningsprog", known_as) is None  # the parts in the wrong places
    assert split_compound("sprog", known_as) is None


def test_a_split_compounds_modifier_finds_compounds_it_begins_and_its_head_those_it_ends(
    mini_searcher: Searcher,
) -> None:
    """No document holds "sprogbesøg", but its parts are indexed. As a modifier "sprog" does not
    pull in "klarsprog" (where it is the head, another thing), as the word typed alone does."""
    weights, full = mini_searcher._term_weights(terms("sprogbesøg"), {})
    assert weights["sprog"] == weights["besoeg"] == 1.0
    assert full == ["sprogbesoeg", "sprog", "besoeg"]
    assert "skaermbesoeg" in weights  # the head, at the end of a compound
    assert "klarsprog" not in weights
    assert "klarsprog" in mini_searcher._term_weights(["sprog"], {})[0]
    for typed_too in ("sprog sprogbesøg", "sprogbesøg sprog"):  # the word typed: both ways
        assert "klarsprog" in mini_searcher._term_weights(terms(typed_too), {})[0]
    hits = mini_searcher.search_by_text("sprogbesøg").hits
    assert hits and hits[0].explanation.matched_by != "meaning"


def test_a_compound_counts_for_less_only_when_the_query_word_itself_is_indexed(
    mini_searcher: Searcher,
) -> None:
    """ "besøg" typed: "skærmbesøg" is another thing that holds it (0.4 of the word). "sprogbesøg"
    typed, in no document: "skærmbesøg" is as near as the index gets, so it counts fully."""
    fusion = mini_searcher.fusion
    assert fusion.compound_weight < fusion.split_compound_weight
    typed, _ = mini_searcher._term_weights(terms("besøg"), {})
    assert typed["besoeg"] == 1.0
    assert typed["skaermbesoeg"] == fusion.compound_weight
    split, full = mini_searcher._term_weights(terms("sprogbesøg"), {})
    assert split["skaermbesoeg"] == fusion.split_compound_weight
    assert "skaermbesoeg" not in full  # a full match needs the parts, not every sibling
    # Typed beside the split word, "besøg" is the query's own word again: its compounds count less.
    both, _ = mini_searcher._term_weights(terms("besøg sprogbesøg"), {})
    assert both["skaermbesoeg"] == fusion.compound_weight
