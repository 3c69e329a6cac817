"""The suggester: word-start matching, folding, ranking, the mix of kinds, and live versions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.suggest import Suggester, Suggestions, query_words
from indexer.index import SearchIndex
from indexer.records import Document, Record, documents_from_records

DIM = 8


def unit(id_: str, name: str, competencies: str = "") -> Record:
    fields = {
        "id": id_,
        "name": name,
        "organisation": "Faxe Kommune",
        "sector": "kommune",
        "area": "Ældre",
        "description": f"{name} beskrivelse.",
        "competencies": competencies,
        "contact_name": "Kontakt Person",
        "contact_email": "kontakt@faxe.dk",
    }
    return Record("unit", id_, fields)


def person(id_: str, name: str, unit_id: str, expertise: str) -> Record:
    fields = {
        "id": id_,
        "name": name,
        "title": "konsulent",
        "unit_id": unit_id,
        "expertise": expertise,
        "email": "hemmelig@faxe.dk",
        "phone": "22 33 44 55",
    }
    return Record("person", id_, fields)


RECORDS = [
    unit("u1", "Plejecenter Solgården", "demens;terminal pleje;velfærdsteknologi"),
    unit("u2", "Hjemmeplejen Nat", "skærmbesøg;demens;nattevagt"),
    unit("u3", "Borgerservice Haslev", "MitID;pas og kørekort"),
    person("p1", "Mette Kjærgaard Olsen", "u3", "MitID-support til ældre borgere;Digital Post"),
    person(
        "p2",
        "Lone Bisgaard",
        "u3",
        "Har indført tidsbestilling og køsystem i Borgerservice Haslev og kan hjælpe andre",
    ),
    person("p3", "Ærø Åberg", "u1", "demens;æblehaver"),
]


def build(records: list[Record]) -> SearchIndex:
    documents = documents_from_records(records)
    vectors = np.ones((len(documents), DIM), dtype=np.float32) / np.sqrt(DIM)
    return SearchIndex.build(documents, vectors, model_id="fake")


def texts(found: Suggestions) -> list[str]:
    return [s.text for s in found.suggestions]


def written(index: SearchIndex, records: list[Record], remove: tuple[str, ...] = ()) -> SearchIndex:
    units = {r.id: r for r in RECORDS if r.kind == "unit"} | {
        r.id: r for r in records if r.kind == "unit"
    }
    others = [r for r in records if r.kind != "unit"]
    documents: list[Document] = documents_from_records([*units.values(), *others])
    keys = {f"{r.kind}:{r.id}" for r in records}
    documents = [d for d in documents if d.key in keys]
    vectors = np.ones((len(documents), DIM), dtype=np.float32)
    return index.applied(list(remove), documents, vectors, revision=index.revision + 1)


def test_every_typed_word_starts_a_word_of_the_suggestion() -> None:
    index = build(RECORDS)
    suggester = Suggester()
    assert texts(suggester.suggest(index, "plejec sol")) == ["Plejecenter Solgården"]
    assert "Plejecenter Solgården" in texts(suggester.suggest(index, "solg"))
    assert "terminal pleje" in texts(suggester.suggest(index, "pleje"))
    # Word starts only: "pleje" inside "Hjemmeplejen" is no match.
    assert "Hjemmeplejen Nat" not in texts(suggester.suggest(index, "pleje"))
    assert texts(suggester.suggest(index, "xyz")) == []
    assert texts(suggester.suggest(index, "  ")) == []


def test_case_and_danish_letters_fold_like_search() -> None:
    index = build(RECORDS)
    suggester = Suggester()
    for typed in ("aero", "ÆRØ", "aer aab", "Ærø Å"):
        assert texts(suggester.suggest(index, typed))[:1] == ["Ærø Åberg"], typed
    assert "MitID-support til ældre borgere" in texts(suggester.suggest(index, "aeldre bor"))
    assert query_words("Ælde-Ré  x") == ["aelde", "re", "x"]


def test_whole_and_first_words_rank_first_then_more_records() -> None:
    index = build(RECORDS)
    found = Suggester().suggest(index, "dem").suggestions
    assert found[0].text == "demens" and found[0].kind == "competency"
    assert found[0].count == 3  # two units and a person carry it, one suggestion
    assert [s.text for s in found].count("demens") == 1
    # "MitID" (a whole word, first) before a competency that only has it first in a longer text.
    mitid = texts(Suggester().suggest(index, "mitid"))
    assert mitid.index("MitID") < mitid.index("MitID-support til ældre borgere")


def test_people_lead_to_their_unit_and_long_expertise_is_no_suggestion() -> None:
    index = build(RECORDS)
    suggester = Suggester()
    (lone,) = suggester.suggest(index, "lone bis").suggestions
    assert (lone.kind, lone.id, lone.unit_id, lone.unit_name) == (
        "person",
        "p2",
        "u3",
        "Borgerservice Haslev",
    )
    assert suggester.suggest(index, "har indført").suggestions == []
    assert texts(suggester.suggest(index, "hemmelig")) == []  # never an e-mail
    assert texts(suggester.suggest(index, "22 33")) == []  # nor a phone number


def test_at_most_the_limit_with_a_mix_of_kinds() -> None:
    records = [unit(f"u{i}", f"Demensteam {i}", f"demensven {i}") for i in range(20)]
    records += [person(f"p{i}", f"Dennis {i}", "u0", f"demensvenlig {i}") for i in range(20)]
    index = build(records)
    found = Suggester().suggest(index, "de", limit=8).suggestions
    assert len(found) == 8
    kinds = [s.kind for s in found]
    assert {"unit", "person", "competency"} <= set(kinds)
    assert max(kinds.count(k) for k in set(kinds)) <= 3
    # Grouped by kind: a kind's suggestions stand together.
    assert kinds == sorted(kinds, key=kinds.index)
    assert len(Suggester().suggest(index, "de", limit=3).suggestions) == 3


def test_a_written_renamed_or_deleted_record_shows_at_once() -> None:
    index = build(RECORDS)
    suggester = Suggester()
    suggester.warm(index)
    added = written(index, [unit("u9", "Kystsikring Stevns", "diger;stormflod")])
    assert texts(suggester.suggest(added, "kyst")) == ["Kystsikring Stevns"]
    assert texts(suggester.suggest(added, "stormf")) == ["stormflod"]
    assert texts(suggester.suggest(index, "kyst")) == []  # the older version is unchanged

    renamed = written(added, [unit("u1", "Plejehjemmet Solbakken", "demens")])
    assert texts(suggester.suggest(renamed, "plejec")) == []
    assert "Plejehjemmet Solbakken" in texts(suggester.suggest(renamed, "solb"))
    assert "terminal pleje" not in texts(suggester.suggest(renamed, "termin"))

    deleted = renamed.applied(["person:p3"], [], np.zeros((0, DIM)), revision=9)
    assert texts(suggester.suggest(deleted, "aero")) == []
    assert "æblehaver" not in texts(suggester.suggest(deleted, "aeble"))
    dem = next(s for s in suggester.suggest(deleted, "demens").suggestions if s.text == "demens")
    assert dem.count == 2  # u1 (renamed, still has it) and u2; p3 is gone

    compacted = deleted.compacted()
    assert texts(suggester.suggest(compacted, "kyst")) == ["Kystsikring Stevns"]
    assert texts(suggester.suggest(compacted, "aero")) == []


def test_many_writes_keep_few_runs_and_every_record() -> None:
    index = build(RECORDS)
    suggester = Suggester()
    for number in range(40):
        index = written(index, [unit(f"w{number}", f"Skrivestue {number:02d}", "")])
    found = Suggester().suggest(index, "skrivestue 1", limit=20)
    assert sorted(texts(found)) == [f"Skrivestue {n}" for n in range(10, 20)]
    assert texts(suggester.suggest(index, "skrivestue 39")) == ["Skrivestue 39"]
    assert suggester._runs is not None and len(suggester._runs[1].runs) <= 6


NAMES = st.lists(
    st.text(alphabet="abæøå éA-", min_size=1, max_size=14).filter(lambda t: t.strip(" -")),
    min_size=1,
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(names=NAMES, typed=st.text(alphabet="abæøå eA", min_size=1, max_size=6), data=st.data())
def test_the_same_matches_as_a_plain_scan(
    names: list[str], typed: str, data: st.DataObject
) -> None:
    records = [unit(f"u{i}", name) for i, name in enumerate(names)]
    index = build(records)
    dead = data.draw(st.sets(st.integers(0, len(names) - 1)))
    index = index.applied([f"unit:u{i}" for i in dead], [], np.zeros((0, DIM)), revision=1)
    words = query_words(typed)
    expected = {
        f"u{i}"
        for i, name in enumerate(names)
        if i not in dead
        and words
        and any(c.isalnum() for c in name)
        and all(any(w2.startswith(w) for w2 in query_words(name)) for w in words)
    }
    found = Suggester().suggest(index, typed, limit=20).suggestions
    assert {s.id for s in found} == expected
