"""Hypothesis: the hard rules hold on every proposal, in both modes, locks included."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.pairing import Host, Intern, Lock, PairingProposal, propose_pairings
from engine.pairing.loading import same_organisation
from indexer.errors import DataError
from tests.fakes import FakeEmbedder

ORGANISATIONS = ["Faxe Kommune", "Region Sjælland", "Finansministeriet", "Køge Kommune"]
SECTOR_OF = {"Faxe Kommune": "kommune", "Region Sjælland": "region", "Finansministeriet": "stat"}
WORDS = ["ældrepleje", "nattevagter", "budget", "klima", "frivillige", "data", "skole", "MitID"]


@st.composite
def weeks(draw: st.DrawFn) -> tuple[list[Host], list[Intern], list[Lock]]:
    n_hosts = draw(st.integers(1, 5))
    hosts = []
    for j in range(n_hosts):
        organisation = draw(st.sampled_from(ORGANISATIONS))
        hosts.append(
            Host(
                id=f"h{j}",
                organisation=organisation,
                unit_name=f"Enhed {j}",
                sector=SECTOR_OF.get(organisation, "kommune"),
                offer=" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))),
                capacity=draw(st.integers(1, 3)),
                durations=frozenset(draw(st.sets(st.integers(1, 3), min_size=1))),
            )
        )
    host_ids = [h.id for h in hosts]
    interns = []
    for r in range(draw(st.integers(0, 9))):
        organisation = draw(st.sampled_from(ORGANISATIONS))
        excluded = draw(st.sets(st.sampled_from(host_ids), max_size=2))
        wished = draw(st.lists(st.sampled_from(host_ids), max_size=3, unique=True))
        interns.append(
            Intern(
                id=f"i{r}",
                name=f"Person {r}",
                organisation=organisation,
                sector=SECTOR_OF.get(organisation, "kommune"),
                wish=" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))),
                duration=draw(st.integers(1, 3)),
                wished_hosts=tuple(h for h in wished if h not in excluded),
                excluded_hosts=frozenset(excluded),
            )
        )
    locks: list[Lock] = []
    if interns:
        locked = draw(st.sets(st.sampled_from([i.id for i in interns]), max_size=3))
        locks = [
            Lock(intern_id, draw(st.sampled_from(host_ids)), "locks.csv", line)
            for line, intern_id in enumerate(sorted(locked), start=2)
        ]
    return hosts, interns, locks


def _lock_breaks_a_rule(hosts: list[Host], interns: list[Intern], locks: list[Lock]) -> bool:
    host = {h.id: h for h in hosts}
    intern = {i.id: i for i in interns}
    used: dict[str, int] = {}
    for lock in locks:
        i, h = intern[lock.intern_id], host[lock.host_id]
        used[h.id] = used.get(h.id, 0) + 1
        if (
            i.duration not in h.durations
            or same_organisation(i.organisation, h.organisation)
            or h.id in i.excluded_hosts
            or used[h.id] > h.capacity
        ):
            return True
    return False


def _assert_rules_hold(
    proposal: PairingProposal, hosts: list[Host], interns: list[Intern], locks: list[Lock]
) -> None:
    host = {h.id: h for h in hosts}
    intern = {i.id: i for i in interns}
    for pair in proposal.pairs:
        i, h = intern[pair.intern_id], host[pair.host_id]
        assert i.duration in h.durations
        assert pair.duration == i.duration
        assert not same_organisation(i.organisation, h.organisation)
        assert h.id not in i.excluded_hosts
    for h in hosts:
        assert proposal.stats.places_used[h.id] <= h.capacity
    host_of = proposal.host_of()
    assert all(host_of.get(lock.intern_id) == lock.host_id for lock in locks)
    for unmatched in proposal.unmatched:  # only when every host the rules allow is full
        i = intern[unmatched.intern_id]
        for h in hosts:
            allowed = i.duration in h.durations and not same_organisation(
                i.organisation, h.organisation
            )
            if allowed and h.id not in i.excluded_hosts:
                assert proposal.stats.places_used[h.id] == h.capacity
    placed = {p.intern_id for p in proposal.pairs} | {u.intern_id for u in proposal.unmatched}
    assert placed == set(intern) and len(proposal.pairs) + len(proposal.unmatched) == len(interns)


@pytest.mark.parametrize("mode", ["optimal", "stable"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(week=weeks())
def test_hard_rules_hold_on_every_output(
    mode: str, week: tuple[list[Host], list[Intern], list[Lock]]
) -> None:
    hosts, interns, locks = week
    run_mode = "stable" if mode == "stable" else "optimal"
    if _lock_breaks_a_rule(hosts, interns, locks):
        with pytest.raises(DataError) as caught:
            propose_pairings(hosts, interns, FakeEmbedder(), locks=locks, mode=run_mode)
        problem = caught.value.problems[0]
        assert problem.file == "locks.csv" and problem.line is not None
        assert "bryder en regel" in problem.message
        assert any(f"{lock.intern_id} → {lock.host_id}" in problem.message for lock in locks)
        return
    proposal = propose_pairings(hosts, interns, FakeEmbedder(), locks=locks, mode=run_mode)
    _assert_rules_hold(proposal, hosts, interns, locks)
    if run_mode == "stable":
        assert proposal.blocking_pairs == []
    assert all(u.reason for u in proposal.unmatched)
