"""Danish words are words: only what is not Danish is read as a typo, compounds split into
Danish parts, verb prefixes make no compounds, and words tvaers writes itself never match."""

from __future__ import annotations

from engine import lexicon
from engine.search import Searcher
from engine.typos import correct_terms
from indexer.analysis import terms
from indexer.lexical import LexicalIndex
from indexer.records import Record, documents_from_records


def test_the_lexicon_knows_everyday_danish_and_its_compounds() -> None:
    assert lexicon.zipf("sørger") > 3 and lexicon.zipf("soerger") == lexicon.zipf("sørger")
    assert lexicon.is_danish("barselsdagpenge")  # no compound is in the list; its parts are
    assert lexicon.compound_parts("barselsdagpenge") == ("barsel", "dagpenge")
    assert not lexicon.is_danish("asdfgh") and not lexicon.is_danish("borgerservise")
    assert lexicon.is_everyday("omkring") and not lexicon.is_everyday("tegnsprog")
    assert lexicon.is_everyday_term(terms("hjælper")[0])


def test_an_inflection_of_an_everyday_word_is_everyday_but_a_stem_collision_is_not() -> None:
    everyday = ["omkring", "eleverne", "skolens", "borgernes", "medarbejderne"]
    assert all(lexicon.is_everyday_word(w) for w in everyday)
    # "demens" stems to "dem", the pronoun: judged as written, it is a rare word.
    rare = ["demens", "skærmbesøg", "plejehjem", "tegnsprog", "hjemmeplejen"]
    assert not any(lexicon.is_everyday_word(w) for w in rare)


def test_a_verb_prefix_is_no_compound_modifier() -> None:
    for word in ("opsoegning", "undersoegelsesforloeb", "forebyggelsesteam", "udsendelse"):
        parts = lexicon.compound_parts(word)
        assert parts is None or parts[0] not in lexicon.VERB_PREFIXES, parts


def test_a_danish_word_the_index_lacks_is_not_corrected() -> None:
    """A small index holds "søge" but not "sørger": the verb is Danish, not a slip."""
    lexical = LexicalIndex.from_terms([terms("søge om tilskud"), terms("søge job")])
    typed = terms("sørger")
    assert correct_terms(typed, lexical) == {typed[0]: "soeg"}  # the index alone: a typo
    assert correct_terms(typed, lexical, danish_terms=set(typed)) == {}


def test_sørger_is_no_typo_in_a_search(mini_searcher: Searcher) -> None:
    lexical = mini_searcher.index.lexical
    assert lexical.column(terms("sørger")[0]) is None
    assert not mini_searcher.search_by_text("hvem sørger for madplaner").corrections
    assert mini_searcher.search_by_text("borgerservise").corrections  # not Danish: corrected


def test_words_tvaers_writes_into_the_text_are_not_indexed() -> None:
    unit = Record(
        "unit",
        "u1",
        {
            "name": "Hjemmeplejen",
            "organisation": "Faxe Kommune",
            "description": "Vi plejer.",
            "competencies": "pleje;nattevagt",
        },
    )
    trial = Record(
        "trial",
        "t1",
        {
            "title": "Skærmbesøg",
            "unit_id": "u1",
            "description": "Besøg på skærm.",
            "learnings": "Det virkede.",
        },
    )
    documents = documents_from_records([unit, trial])
    for document in documents:
        words = terms(document.words)
        assert "kompetenc" not in words and "laering" not in words
        assert not any(w.startswith("proevehandl") for w in words)
    assert "Prøvehandling" in documents[1].text  # the model still reads what the record is


def test_prøvet_does_not_match_every_trial_by_its_label(mini_searcher: Searcher) -> None:
    results = mini_searcher.search_by_text("prøvehandling")
    assert all(h.explanation.matched_by == "meaning" for h in results.hits)


def test_a_slip_the_stemmer_cuts_apart_is_looked_up_as_typed() -> None:
    """ "skærmbesgø" stems to "skaermbesgo", three edits from "skaermbesoeg"; as typed it is two."""
    lexical = LexicalIndex.from_terms([terms("skærmbesøg om natten"), terms("natlige besøg")])
    typed = terms("skærmbesgø")
    assert correct_terms(typed, lexical) == {}
    written = {typed[0]: "skaermbesgoe"}
    assert correct_terms(typed, lexical, written=written) == {typed[0]: terms("skærmbesøg")[0]}
