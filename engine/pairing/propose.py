"""The public entry point: one complete, explainable pairing proposal for the week."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from engine.pairing.fit import (
    FitMatrix,
    PairingWeights,
    fit_matrix,
    semantic_cosines,
)
from engine.pairing.loading import MAX_CAPACITY, MIN_CAPACITY, Host, Intern, Lock, same_organisation
from engine.pairing.reasons import ReasonWriter, unmatched_reason
from engine.pairing.solve import blocking_pairs, solve_optimal, solve_stable
from indexer.embedders import Embedder
from indexer.errors import DataError, Problem

Mode = Literal["optimal", "stable"]
MODES: tuple[Mode, ...] = ("optimal", "stable")


@dataclass(frozen=True)
class Pair:
    intern_id: str
    intern_name: str
    intern_organisation: str
    intern_sector: str
    host_id: str
    host_unit: str
    host_organisation: str
    host_sector: str
    duration: int
    fit: float
    semantic: float
    host_rank: int  # 1 = the best-fitting host the rules allow for this intern
    wished_rank: int | None  # the host's place in the intern's own wishes
    cross_sector: bool
    locked: bool
    reason: str


@dataclass(frozen=True)
class UnmatchedIntern:
    intern_id: str
    intern_name: str
    reason: str


@dataclass(frozen=True)
class PairingStats:
    mode: Mode
    interns: int
    hosts: int
    places: int
    matched: int
    matched_share: float
    mean_fit: float
    cross_sector_share: float  # among matched pairs
    with_wishes: int
    got_wished_host: int
    locks_kept: int
    blocking_pairs: int
    places_used: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PairingProposal:
    pairs: list[Pair]
    unmatched: list[UnmatchedIntern]
    stats: PairingStats
    blocking_pairs: list[tuple[str, str]]  # (intern_id, host_id); empty for a correct result
    weights: PairingWeights
    model_id: str

    def host_of(self) -> dict[str, str]:
        return {p.intern_id: p.host_id for p in self.pairs}

    def as_json(self) -> dict[str, Any]:
        """The shape the CLI prints with --json."""
        return {
            "pairs": [
                {
                    "intern_id": p.intern_id,
                    "host_id": p.host_id,
                    "duration": p.duration,
                    "fit": p.fit,
                    "reason": p.reason,
                }
                for p in self.pairs
            ],
            "unmatched": [{"intern_id": u.intern_id, "reason": u.reason} for u in self.unmatched],
            "stats": self.stats.as_dict(),
        }


def propose_pairings(
    hosts: Sequence[Host],
    interns: Sequence[Intern],
    embedder: Embedder,
    *,
    locks: Iterable[Lock] = (),
    mode: Mode = "optimal",
    weights: PairingWeights | None = None,
) -> PairingProposal:
    """Pair interns with hosts under the hard rules; raise DataError for input that breaks them.

    mode "optimal" maximises first the number of interns placed, then the total fit;
    mode "stable" runs intern-proposing deferred acceptance and reports any blocking pairs.
    """
    weights = weights or PairingWeights()
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    locks = list(locks)
    _check_inputs(hosts, interns)
    locked = _locked_indices(hosts, interns, locks)  # before the (slow) embedding
    fm = fit_matrix(interns, hosts, semantic_cosines(interns, hosts, embedder), weights)
    capacity = np.array([h.capacity for h in hosts], dtype=np.int64)
    solver = solve_optimal if mode == "optimal" else solve_stable
    host_of = solver(fm.fit, fm.feasible, capacity, locked)
    blocking = blocking_pairs(fm.fit, fm.feasible, capacity, locked, host_of)
    return _proposal(hosts, interns, fm, host_of, locked, blocking, mode, weights, embedder)


def _check_inputs(hosts: Sequence[Host], interns: Sequence[Intern]) -> None:
    """The loaders check files; this catches the same mistakes in records built in code."""
    problems: list[Problem] = []
    host_ids = {h.id for h in hosts}
    for label, ids, lines in (
        ("værter", [h.id for h in hosts], [h.line for h in hosts]),
        ("praktikanter", [i.id for i in interns], [i.line for i in interns]),
    ):
        seen: set[str] = set()
        for record_id, line in zip(ids, lines, strict=True):
            if record_id in seen:
                problems.append(Problem(label, f"id '{record_id}' findes to gange", line, "id"))
            seen.add(record_id)
    for h in hosts:
        if not MIN_CAPACITY <= h.capacity <= MAX_CAPACITY:
            problems.append(
                Problem("værter", f"kapaciteten for '{h.id}' skal være 1–3", h.line, "capacity")
            )
        if not h.durations or min(h.durations) < 1:
            problems.append(
                Problem("værter", f"'{h.id}' har ingen gyldige varigheder", h.line, "durations")
            )
    for i in interns:
        if i.duration < 1:
            problems.append(
                Problem(
                    "praktikanter", f"varigheden for '{i.id}' skal være positiv", i.line, "duration"
                )
            )
        for column, named in (
            ("wished_hosts", i.wished_hosts),
            ("excluded_hosts", i.excluded_hosts),
        ):
            for host_id in sorted(set(named) - host_ids):
                problems.append(
                    Problem("praktikanter", f"værten '{host_id}' findes ikke", i.line, column)
                )
    if problems:
        raise DataError(problems)


def check_locks(hosts: Sequence[Host], interns: Sequence[Intern], locks: Sequence[Lock]) -> None:
    """Raise DataError naming each lock that names no one or breaks a hard rule."""
    _locked_indices(hosts, interns, locks)


def _locked_indices(
    hosts: Sequence[Host], interns: Sequence[Intern], locks: Sequence[Lock]
) -> dict[int, int]:
    """Map locked intern → host index; a lock that breaks a hard rule is an error naming it."""
    host_index = {h.id: j for j, h in enumerate(hosts)}
    intern_index = {i.id: r for r, i in enumerate(interns)}
    locked: dict[int, int] = {}
    used: Counter[int] = Counter()
    problems: list[Problem] = []
    for lock in locks:
        where = (lock.file, lock.line)
        name = f"låsen {lock.intern_id} → {lock.host_id}"
        r, j = intern_index.get(lock.intern_id), host_index.get(lock.host_id)
        if r is None or j is None:
            column, missing = (
                ("intern_id", f"praktikanten '{lock.intern_id}'")
                if r is None
                else ("host_id", f"værten '{lock.host_id}'")
            )
            problems.append(Problem(where[0], f"{name}: {missing} findes ikke", where[1], column))
            continue
        if r in locked:
            problems.append(
                Problem(where[0], f"{name}: praktikanten er allerede låst", where[1], "intern_id")
            )
            continue
        broken = _broken_rule(interns[r], hosts[j], used[j])
        if broken:
            problems.append(
                Problem(where[0], f"{name} bryder en regel: {broken}", where[1], "host_id")
            )
            continue
        locked[r] = j
        used[j] += 1
    if problems:
        raise DataError(problems)
    return locked


def _broken_rule(intern: Intern, host: Host, already_locked: int) -> str | None:
    if intern.duration not in host.durations:
        offered = ";".join(str(d) for d in sorted(host.durations))
        return f"værten tilbyder ikke {intern.duration} dage (kun {offered})"
    if same_organisation(intern.organisation, host.organisation):
        return f"værten hører til praktikantens egen organisation ({host.organisation})"
    if host.id in intern.excluded_hosts:
        return "praktikanten har udelukket værten"
    if already_locked >= host.capacity:
        return f"værten har kun {host.capacity} plads(er), og de er allerede låst"
    return None


def _proposal(
    hosts: Sequence[Host],
    interns: Sequence[Intern],
    fm: FitMatrix,
    host_of: np.ndarray,
    locked: dict[int, int],
    blocking: list[tuple[int, int]],
    mode: Mode,
    weights: PairingWeights,
    embedder: Embedder,
) -> PairingProposal:
    writer = ReasonWriter(interns, hosts)
    ranked_fit = np.where(fm.feasible, fm.fit, -np.inf)
    pairs: list[Pair] = []
    unmatched: list[UnmatchedIntern] = []
    for r, intern in enumerate(interns):
        j = int(host_of[r])
        if j < 0:
            rules = fm.rules
            reason = unmatched_reason(
                intern,
                int(rules.duration_offered[r].sum()),
                int((rules.duration_offered[r] & ~rules.own_organisation[r]).sum()),
                int(fm.feasible[r].sum()),
                mode=mode,
            )
            unmatched.append(UnmatchedIntern(intern.id, intern.name, reason))
            continue
        host = hosts[j]
        wished_rank = (
            intern.wished_hosts.index(host.id) + 1 if host.id in intern.wished_hosts else None
        )
        pairs.append(
            Pair(
                intern_id=intern.id,
                intern_name=intern.name,
                intern_organisation=intern.organisation,
                intern_sector=intern.sector,
                host_id=host.id,
                host_unit=host.unit_name,
                host_organisation=host.organisation,
                host_sector=host.sector,
                duration=intern.duration,
                fit=round(float(fm.fit[r, j]), 4),
                semantic=round(float(fm.semantic[r, j]), 4),
                host_rank=int((ranked_fit[r] > ranked_fit[r, j]).sum()) + 1,
                wished_rank=wished_rank,
                cross_sector=bool(fm.crossing[r, j]),
                locked=r in locked,
                reason=writer.for_pair(intern, host, wished_rank=wished_rank, locked=r in locked),
            )
        )
    stats = _stats(hosts, interns, pairs, len(locked), len(blocking), mode)
    named_blocking = [(interns[r].id, hosts[j].id) for r, j in blocking]
    return PairingProposal(pairs, unmatched, stats, named_blocking, weights, embedder.model_id)


def _stats(
    hosts: Sequence[Host],
    interns: Sequence[Intern],
    pairs: list[Pair],
    locks_kept: int,
    n_blocking: int,
    mode: Mode,
) -> PairingStats:
    used = Counter(p.host_id for p in pairs)
    matched = len(pairs)
    return PairingStats(
        mode=mode,
        interns=len(interns),
        hosts=len(hosts),
        places=sum(h.capacity for h in hosts),
        matched=matched,
        matched_share=round(matched / len(interns), 4) if interns else 0.0,
        mean_fit=round(float(np.mean([p.fit for p in pairs])), 4) if pairs else 0.0,
        cross_sector_share=round(sum(p.cross_sector for p in pairs) / matched, 4)
        if matched
        else 0.0,
        with_wishes=sum(1 for i in interns if i.wished_hosts),
        got_wished_host=sum(1 for p in pairs if p.wished_rank is not None),
        locks_kept=locks_kept,
        blocking_pairs=n_blocking,
        places_used={h.id: used.get(h.id, 0) for h in hosts},
    )
