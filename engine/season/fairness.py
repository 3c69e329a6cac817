"""How fair a proposal is to the people in it: wishes met, who is left out and why, crossing of
sectors against the usual 28 %, balance per organisation and sector, blocking pairs, total fit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from engine.pairing import Host, Intern, PairingProposal
from engine.pairing.fit import hard_rules

# From the seeds: 28 % of one year's hosts and interns crossed sectors.
CROSS_SECTOR_REFERENCE = 0.28
Cause = Literal["length", "own_organisation", "exclusion", "capacity"]
CAUSES: tuple[Cause, ...] = ("length", "own_organisation", "exclusion", "capacity")
WISH_KEYS = ("1", "2", "3", "none")  # 1st, 2nd, 3rd wish, none of their wishes


@dataclass(frozen=True)
class LeftOut:
    intern_id: str
    intern_name: str
    cause: Cause
    reason: str  # the Danish sentence the proposal gives


@dataclass(frozen=True)
class Group:
    """Interns of one organisation or sector: how many, placed, crossing sectors."""

    name: str
    interns: int
    matched: int
    cross_sector: int

    @property
    def matched_share(self) -> float:
        return round(self.matched / self.interns, 4) if self.interns else 0.0


@dataclass(frozen=True)
class FairnessReport:
    interns: int
    matched: int
    with_wishes: int
    wishes: dict[str, int]  # WISH_KEYS → interns with wishes who got that one (or none)
    left_out: list[LeftOut]
    left_out_by_cause: dict[str, int]  # CAUSES → count
    cross_sector_share: float
    cross_sector_reference: float
    by_organisation: list[Group]
    by_sector: list[Group]
    blocking_pairs: list[tuple[str, str]]
    total_fit: float
    mean_fit: float

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("by_organisation", "by_sector"):
            for group, row in zip(getattr(self, key), data[key], strict=True):
                row["matched_share"] = group.matched_share
        return data


def fairness_report(
    proposal: PairingProposal, hosts: Sequence[Host], interns: Sequence[Intern]
) -> FairnessReport:
    """The report for `proposal`, made from the hosts and interns it was made from."""
    pairs = {p.intern_id: p for p in proposal.pairs}
    wishes: Counter[str] = Counter({k: 0 for k in WISH_KEYS})
    for intern in interns:
        if not intern.wished_hosts:
            continue
        pair = pairs.get(intern.id)
        rank = pair.wished_rank if pair is not None else None
        wishes[str(rank) if rank is not None and rank <= 3 else "none"] += 1
    causes = _causes(proposal, hosts, interns)
    left_out = [
        LeftOut(u.intern_id, u.intern_name, causes[u.intern_id], u.reason)
        for u in proposal.unmatched
    ]
    by_cause: Counter[str] = Counter({c: 0 for c in CAUSES})
    by_cause.update(x.cause for x in left_out)
    fits = [p.fit for p in proposal.pairs]
    matched = len(proposal.pairs)
    return FairnessReport(
        interns=len(interns),
        matched=matched,
        with_wishes=sum(1 for i in interns if i.wished_hosts),
        wishes=dict(wishes),
        left_out=left_out,
        left_out_by_cause=dict(by_cause),
        cross_sector_share=round(sum(p.cross_sector for p in proposal.pairs) / matched, 4)
        if matched
        else 0.0,
        cross_sector_reference=CROSS_SECTOR_REFERENCE,
        by_organisation=_groups(interns, pairs, lambda i: i.organisation),
        by_sector=_groups(interns, pairs, lambda i: i.sector),
        blocking_pairs=list(proposal.blocking_pairs),
        total_fit=round(sum(fits), 4),
        mean_fit=round(sum(fits) / matched, 4) if matched else 0.0,
    )


def _causes(
    proposal: PairingProposal, hosts: Sequence[Host], interns: Sequence[Intern]
) -> dict[str, Cause]:
    """Why each left-out intern has no place: no host offers their length, the hosts that do
    are their own organisation, they excluded the rest, or every allowed host is full."""
    left = {u.intern_id for u in proposal.unmatched}
    if not left:
        return {}
    rules = hard_rules(interns, hosts)
    causes: dict[str, Cause] = {}
    for r, intern in enumerate(interns):
        if intern.id not in left:
            continue
        offered = rules.duration_offered[r]
        elsewhere = offered & ~rules.own_organisation[r]
        if not offered.any():
            causes[intern.id] = "length"
        elif not elsewhere.any():
            causes[intern.id] = "own_organisation"
        elif not (elsewhere & ~rules.excluded[r]).any():
            causes[intern.id] = "exclusion"
        else:
            causes[intern.id] = "capacity"
    return causes


def _groups(interns: Sequence[Intern], pairs: dict[str, Any], key: Any) -> list[Group]:
    totals: Counter[str] = Counter()
    matched: Counter[str] = Counter()
    crossing: Counter[str] = Counter()
    for intern in interns:
        name = key(intern).strip() or "(ukendt)"
        totals[name] += 1
        pair = pairs.get(intern.id)
        if pair is not None:
            matched[name] += 1
            crossing[name] += bool(pair.cross_sector)
    return [
        Group(name, totals[name], matched[name], crossing[name])
        for name in sorted(totals, key=lambda n: (-totals[n], n))
    ]
