"""The bundled sample week, end to end with the fake embedder: proposal, reasons, files."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from engine.pairing import (
    Lock,
    PairingProposal,
    PairingWeights,
    Week,
    load_week,
    pairs_table,
    propose_pairings,
    write_proposal,
)
from engine.pairing.reasons import ReasonWriter
from indexer.errors import DataError
from tests.fakes import FakeEmbedder

WEEK = Path(__file__).resolve().parents[1] / "data" / "sample" / "week"


@pytest.fixture(scope="module")
def week() -> Week:
    return load_week(WEEK / "hosts.csv", WEEK / "interns.csv", WEEK / "locks.csv")


@pytest.fixture(scope="module")
def proposal(week: Week) -> PairingProposal:
    return propose_pairings(week.hosts, week.interns, FakeEmbedder(), locks=week.locks)


def test_sample_week_has_the_documented_size(week: Week) -> None:
    assert len(week.hosts) == 50 and len(week.interns) == 81 and len(week.locks) == 3
    assert sum(h.capacity for h in week.hosts) == 92


def test_everyone_gets_a_place_and_locks_are_kept(week: Week, proposal: PairingProposal) -> None:
    assert proposal.stats.matched == 81 and proposal.unmatched == []
    host_of = proposal.host_of()
    assert all(host_of[lock.intern_id] == lock.host_id for lock in week.locks)
    assert proposal.stats.locks_kept == 3
    assert sum(p.locked for p in proposal.pairs) == 3


def test_proposal_is_deterministic(week: Week, proposal: PairingProposal) -> None:
    again = propose_pairings(week.hosts, week.interns, FakeEmbedder(), locks=week.locks)
    assert again.pairs == proposal.pairs


def test_stable_mode_on_the_week_has_no_blocking_pairs(week: Week) -> None:
    stable = propose_pairings(
        week.hosts, week.interns, FakeEmbedder(), locks=week.locks, mode="stable"
    )
    assert stable.blocking_pairs == [] and stable.stats.blocking_pairs == 0
    # A stable matching need not place everyone: whoever is left out could go only to hosts
    # that are full with interns they fit better (no blocking pair), and the reason says so.
    assert stable.stats.matched + len(stable.unmatched) == 81 and stable.stats.matched >= 78
    assert all("fyldt op" in u.reason for u in stable.unmatched)


def test_optimal_total_fit_is_at_least_the_stable_one(
    week: Week, proposal: PairingProposal
) -> None:
    stable = propose_pairings(
        week.hosts, week.interns, FakeEmbedder(), locks=week.locks, mode="stable"
    )
    assert sum(p.fit for p in proposal.pairs) >= sum(p.fit for p in stable.pairs) - 1e-6


def test_a_higher_cross_sector_bonus_crosses_more(week: Week, proposal: PairingProposal) -> None:
    crossing = propose_pairings(
        week.hosts,
        week.interns,
        FakeEmbedder(),
        locks=week.locks,
        weights=PairingWeights(cross_sector_bonus=2.0),
    )
    assert crossing.stats.cross_sector_share > proposal.stats.cross_sector_share


def test_reasons_name_shared_themes_in_danish(week: Week, proposal: PairingProposal) -> None:
    writer = ReasonWriter(week.interns, week.hosts)
    intern = next(i for i in week.interns if i.id == "i042")
    host = next(h for h in week.hosts if h.id == "h01")
    reason = writer.for_pair(intern, host, wished_rank=2, locked=False)
    assert reason.startswith("Ønsket og værtens tilbud har ord")
    assert "Værten skriver: »" in reason and "Værten var praktikantens andet ønske." in reason
    locked = next(p for p in proposal.pairs if p.intern_id == "i036")
    assert locked.reason.endswith("Parret er låst af koordinatoren.")


def test_every_reason_is_whole_sentences_a_coordinator_can_send(
    week: Week, proposal: PairingProposal
) -> None:
    """Not "Begge handler om pædagogiske og sprog; ønsket vært nr. 1" any more: sentences that
    start with a capital and end with a full stop, words from the offer quoted as words, the
    host's own sentence (never cut inside an abbreviation such as "bl.a."), no semicolons."""
    for pair in proposal.pairs:
        reason = pair.reason
        assert reason[0].isupper() and reason.endswith("."), reason
        assert ";" not in reason and "\n" not in reason and "Begge handler om" not in reason
        assert "Værten skriver: »" in reason, reason
        assert not re.search(r"bl\.a«|fx«", reason), reason
        if pair.cross_sector:
            assert "Besøget går på tværs af sektorer, fra " in reason
        if pair.wished_rank is not None:
            assert "Værten var praktikantens " in reason
    cross = next(
        p for p in proposal.pairs if (p.intern_sector, p.host_sector) == ("stat", "region")
    )
    assert "fra staten til en region." in cross.reason


def test_rank_and_stats_are_consistent(proposal: PairingProposal) -> None:
    assert all(p.host_rank >= 1 for p in proposal.pairs)
    stats = proposal.stats
    assert sum(stats.places_used.values()) == stats.matched
    assert stats.got_wished_host == sum(p.wished_rank is not None for p in proposal.pairs)
    assert 0 <= stats.cross_sector_share <= 1


def test_a_lock_breaking_a_rule_is_an_error_naming_it(week: Week) -> None:
    # i001 works in Sundhedsstyrelsen, which also hosts h46.
    bad = Lock("i001", "h46", "locks.csv", 5)
    embedder = FakeEmbedder()
    with pytest.raises(DataError) as caught:
        propose_pairings(week.hosts, week.interns, embedder, locks=[*week.locks, bad])
    assert embedder.calls == []  # refused before any slow embedding
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("locks.csv", 5, "host_id")
    assert "i001 → h46" in problem.message and "egen organisation" in problem.message


def test_an_over_full_host_is_reported(week: Week) -> None:
    # h23 has one place; two locks on it cannot both be kept.
    locks = [Lock("i031", "h23", "locks.csv", 2), Lock("i074", "h23", "locks.csv", 3)]
    with pytest.raises(DataError, match="kun 1 plads"):
        propose_pairings(week.hosts, week.interns, FakeEmbedder(), locks=locks)


def test_csv_and_excel_out(proposal: PairingProposal, tmp_path: Path) -> None:
    csv_path = write_proposal(proposal, tmp_path / "forslag.csv")
    frame = pd.read_csv(csv_path)
    assert len(frame) == 81
    assert {"Praktikantens id", "Værtens id", "Praktikantens ønske nr.", "Begrundelse"} <= set(
        frame
    )
    assert set(frame["På tværs af sektorer"].dropna()) == {"ja", "nej"}
    xlsx_path = write_proposal(proposal, tmp_path / "forslag.xlsx")
    sheets = pd.read_excel(xlsx_path, sheet_name=None)
    assert list(sheets) == ["Forslag", "Uden plads", "Overblik", "Pladser"]
    assert len(sheets["Forslag"]) == 81
    headers = [str(c) for sheet in sheets.values() for c in sheet.columns]
    assert not [h for h in headers if re.search(r"vaert|oensket|paa_|laast|aa|oe|_", h)], headers
    assert "Værtens plads blandt de mulige" in headers and "Pladser brugt" in headers
    assert len(pairs_table(proposal)) == 81
