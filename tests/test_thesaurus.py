"""A word no record holds is read as its synonyms in a Danish thesaurus; a word the records use
is left as typed, and only plain, unambiguous synonyms are taken from the source."""

from __future__ import annotations

import dataclasses

from engine import thesaurus
from engine.fusion import DEFAULT_FUSION
from indexer.analysis import terms
from tests.test_names_and_members import searcher_over, unit

RECORDS = [
    unit("u1", "Sundhedshuset", "Forløb for borgere med diabetes og KOL."),
    unit("u2", "Sundhedsplejen", "Vi besøger familier med nyfødte og følger forløb."),
    unit("u3", "Borgerservice", "Pas, kørekort og sukkerfri kantine."),
]


def test_the_bundled_thesaurus_reads_everyday_words_as_the_records_words() -> None:
    bundled = thesaurus.bundled()
    assert "diabet" in bundled.expand(terms("sukkersyge"), 1.0)
    assert "dement" in bundled.expand(terms("glemsom"), 1.0)
    assert "virksom" in bundled.expand(terms("firmaer"), 1.0)  # an inflection finds its entry
    assert not bundled.expand(terms("falder"), 1.0)  # 38 senses: too ambiguous to read


def test_a_word_no_record_holds_finds_its_synonyms() -> None:
    searcher = searcher_over(RECORDS)
    results = searcher.search_by_text("forløb for folk med sukkersyge")
    assert [h.id for h in results.hits][:1] == ["u1"]
    assert "diabetes" in results.hits[0].explanation.matched_terms
    off = dataclasses.replace(DEFAULT_FUSION, thesaurus_weight=0.0)
    searcher.fusion = off
    without = searcher.search_by_text("forløb for folk med sukkersyge")
    assert "diabetes" not in without.hits[0].explanation.matched_terms


def test_a_word_the_records_use_is_left_as_typed() -> None:
    """ "skrald" is in a record here, so it is not also read as "affald"."""
    searcher = searcher_over(
        [
            unit("u1", "Genbrugspladsen", "Vi tager imod skrald og storskrald."),
            unit("u2", "Vej og park", "Vi fjerner affald fra parkerne."),
        ]
    )
    analysed = searcher._analyse("hvor afleverer jeg skrald")
    assert terms("affald")[0] not in analysed.weights


MYTHES = """UTF-8
sukkersyge|2
|diabetes
|aldersdiabetes (underbegreb)|gammelmandssukkersyge (underbegreb)
skrald|2
|affald
|affald|biprodukt|juks|levn|lort|møg|rest|skidt
glemsom|1
|dement|erindringsmæssigt udfordret (daglig tale)|hukommelsessvækket
falde|4
|skråne|hælde
|aftage|dale
|ramle
|vælte
gå ned|1
|synke
"""


def test_only_plain_unambiguous_single_word_synonyms_are_taken() -> None:
    assert dict(thesaurus.from_mythes(MYTHES)) == {
        "sukkersyge": ["diabetes"],  # a narrower term is no synonym
        "skrald": ["affald"],  # a long line is a loose cluster
        "glemsom": ["dement", "hukommelsessvækket"],  # a marked phrase goes, the line stays
        # "falde": four senses; "gå ned": a phrase as headword
    }


def test_the_bundled_format_reads_back() -> None:
    text = "# a comment\nsukkersyge: diabetes\nglemsom: dement, hukommelsessvækket\n"
    found = thesaurus.Thesaurus(thesaurus.parse(text))
    assert found.expand(terms("glemsom"), 0.5) == {"dement": 0.5, "hukommelsessvaek": 0.5}
