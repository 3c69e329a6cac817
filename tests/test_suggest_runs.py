"""Suggestions after many writes: a block only looks for the kinds its range holds."""

from __future__ import annotations

from engine.suggest import _Block, _Entry
from indexer.records import documents_from_records
from tests.test_suggest import unit


class _CountingEntries(list[_Entry]):
    """The block's entries, counting how many a lookup reads."""

    read = 0

    def __getitem__(self, number):  # type: ignore[no-untyped-def,override]
        type(self).read += 1
        return super().__getitem__(number)


def test_a_run_without_people_is_not_scanned_to_its_end_for_them() -> None:
    # What a run of written units looks like: units and their competencies, no people.
    records = [unit(f"w{n}", f"Skrivestue {n}", "Sagsbehandling;Sundhed") for n in range(300)]
    block = _Block(enumerate(documents_from_records(records)))
    block.entries = _CountingEntries(block.entries)
    found = list(block.candidates(["s"], 2))
    assert [c.entry.kind for c in found].count("unit") == 2
    assert {c.entry.text for c in found if c.entry.kind == "competency"} == {
        "Sagsbehandling",
        "Sundhed",
    }
    # 300 unit names start with "s": it stops once two units and both competencies are found.
    assert _CountingEntries.read < 20


def test_a_kind_missing_from_the_range_still_lets_the_others_be_found() -> None:
    records = [unit("u1", "Plejecenter Solgården", "Demens"), unit("u2", "Solsikken", "Leg")]
    block = _Block(enumerate(documents_from_records(records)))
    texts = [c.entry.text for c in block.candidates(["sol"], 5)]
    assert sorted(texts) == ["Plejecenter Solgården", "Solsikken"]
