"""A season's participants (the bulk import), its locks and its scenarios, in the database.

A scenario is one run of the pairing over the season's participants with every lock kept, named
by the coordinator (optimal, stable, or their own weights); it is stored with its fairness
report, so scenarios can be compared side by side and the chosen one published.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from engine.pairing import Mode, PairingProposal, PairingWeights, Week, week_from_tables
from engine.pairing.loading import Lock
from engine.pairing.propose import check_locks, propose_pairings
from engine.season import FairnessReport, SeasonError, fairness_report
from indexer.audit import Actor
from indexer.clock import Clock, utc_now
from indexer.embedders import Embedder
from indexer.schema import (
    season_locks_table,
    season_participants_table,
    season_scenarios_table,
)
from indexer.tables import Row, Table
from service.season.book import Season, audit_season, season_in

HOST_EMAIL = "contact_email"
INTERN_EMAIL = "email"
MAX_SCENARIOS = 12  # per season: older ones go when a new one is run


def _scenario_id() -> str:
    """A new scenario's id: the time in nanoseconds (fixed-width hex), then a random part. Times
    are stored to the second, so within one second the ids keep the scenarios in the order they
    were run ("newest first" sorts by time, then by id descending)."""
    return f"{time.time_ns():016x}{secrets.token_urlsafe(6)}"


IMPORT_PHASES = ("registration_open", "registration_closed", "review")
REVIEW_PHASES = ("registration_closed", "review")


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    mode: Mode
    weights: PairingWeights


@dataclass(frozen=True)
class Scenario:
    id: str
    season_id: int
    name: str
    made_at: dt.datetime
    chosen: bool
    proposal: PairingProposal
    fairness: FairnessReport


@dataclass(frozen=True)
class Participant:
    role: str  # "host" / "intern"
    id: str
    values: dict[str, str]  # the row as hosts.csv / interns.csv hold it
    registered: bool  # by themselves (else a coordinator's import)
    updated_at: dt.datetime


@dataclass(frozen=True)
class SeasonLock:
    intern_id: str
    host_id: str
    reason: str
    locked_by: str
    locked_at: dt.datetime


class SeasonReview:
    def __init__(self, engine: sa.Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    # Participants ------------------------------------------------------------------------

    def import_participants(
        self, season_id: int, hosts: Table, interns: Table, actor: Actor
    ) -> Week:
        """Replace the season's imported hosts and interns with these tables, checked as files
        are together with the registrations, which stay (a wish may name either)."""
        now = self._clock()
        column = season_participants_table.c
        with self._engine.begin() as conn:
            require_phase(season_in(conn, season_id), IMPORT_PHASES, "hente deltagere ind")
            registered = conn.execute(
                sa.select(column.role, column.fields).where(
                    column.season_id == season_id, column.owner.is_not(None)
                )
            ).all()
            week = week_from_tables(
                _with_rows(hosts, [json.loads(r.fields) for r in registered if r.role == "host"]),
                _with_rows(
                    interns, [json.loads(r.fields) for r in registered if r.role == "intern"]
                ),
                None,
            )
            conn.execute(
                season_participants_table.delete().where(
                    column.season_id == season_id, column.owner.is_(None)
                )
            )
            rows = [
                _participant_row(season_id, role, row.values, email_column, now)
                for role, table, email_column in (
                    ("host", hosts, HOST_EMAIL),
                    ("intern", interns, INTERN_EMAIL),
                )
                for row in table.rows
            ]
            conn.execute(season_participants_table.insert(), rows)
            changes = {
                "hosts": [None, str(len(week.hosts))],
                "interns": [None, str(len(week.interns))],
            }
            audit_season(conn, actor, season_id, "import", changes, now)
        return week

    def week(self, season_id: int) -> Week:
        """The season's participants and locks, checked as an upload is."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(season_participants_table)
                .where(season_participants_table.c.season_id == season_id)
                .order_by(season_participants_table.c.role, season_participants_table.c.id)
            ).all()
        fields = {"host": [], "intern": []}  # type: dict[str, list[dict[str, str]]]
        for row in rows:
            fields[row.role].append(json.loads(row.fields))
        if not fields["host"] or not fields["intern"]:
            raise SeasonError("Sæsonen har endnu ingen værter og praktikanter.")
        locks = [{"intern_id": lk.intern_id, "host_id": lk.host_id} for lk in self.locks(season_id)]
        return week_from_tables(
            _table("hosts", fields["host"]),
            _table("interns", fields["intern"]),
            _table("låse", locks) if locks else None,
        )

    def participants(self, season_id: int, limit: int = 1000) -> list[Participant]:
        """The season's participants, hosts first, registered ones marked (for the review
        page; the first `limit`, the counts say how many there are)."""
        column = season_participants_table.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(season_participants_table)
                .where(column.season_id == season_id)
                .order_by(column.role, column.id)
                .limit(limit)
            ).all()
        return [
            Participant(r.role, r.id, json.loads(r.fields), r.owner is not None, r.updated_at)
            for r in rows
        ]

    def participant_counts(self, season_id: int) -> dict[str, int]:
        column = season_participants_table.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(column.role, sa.func.count())
                .where(column.season_id == season_id)
                .group_by(column.role)
            ).all()
        counts = {"host": 0, "intern": 0}
        counts.update({str(role): int(n) for role, n in rows})
        return counts

    # Locks ---------------------------------------------------------------------------------

    def locks(self, season_id: int) -> list[SeasonLock]:
        column = season_locks_table.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(season_locks_table)
                .where(column.season_id == season_id)
                .order_by(column.intern_id)
            ).all()
        return [
            SeasonLock(r.intern_id, r.host_id, r.reason, r.locked_by, r.locked_at) for r in rows
        ]

    def lock(self, season_id: int, intern_id: str, host_id: str, reason: str, actor: Actor) -> None:
        """Fix a pair with a reason; every later run keeps it (a lock breaking a rule is refused
        when the week is checked, naming the rule)."""
        reason = reason.strip()
        if not reason:
            raise SeasonError("Skriv hvorfor parret skal låses.")
        require_phase(self._season(season_id), REVIEW_PHASES, "låse par")
        week = self.week(season_id)
        others = [lk for lk in week.locks if lk.intern_id != intern_id]
        check_locks(week.hosts, week.interns, [*others, Lock(intern_id, host_id)])
        now = self._clock()
        with self._engine.begin() as conn:
            require_phase(season_in(conn, season_id), REVIEW_PHASES, "låse par")
            conn.execute(
                season_locks_table.delete().where(
                    season_locks_table.c.season_id == season_id,
                    season_locks_table.c.intern_id == intern_id,
                )
            )
            conn.execute(
                season_locks_table.insert().values(
                    season_id=season_id,
                    intern_id=intern_id,
                    host_id=host_id,
                    reason=reason,
                    locked_by=actor.name,
                    locked_at=now,
                )
            )
            changes = {"lock": [None, f"{intern_id} → {host_id}"], "reason": [None, reason]}
            audit_season(conn, actor, season_id, "lock", changes, now)

    def unlock(self, season_id: int, intern_id: str, actor: Actor) -> bool:
        now = self._clock()
        with self._engine.begin() as conn:
            done = conn.execute(
                season_locks_table.delete().where(
                    season_locks_table.c.season_id == season_id,
                    season_locks_table.c.intern_id == intern_id,
                )
            )
            if done.rowcount:
                audit_season(conn, actor, season_id, "unlock", {"lock": [intern_id, None]}, now)
        return bool(done.rowcount)

    # Scenarios -----------------------------------------------------------------------------

    def run(self, season_id: int, spec: ScenarioSpec, embedder: Embedder, actor: Actor) -> Scenario:
        """One scenario over the season's participants, every lock kept."""
        require_phase(self._season(season_id), REVIEW_PHASES, "køre scenarier")
        week = self.week(season_id)
        proposal = propose_pairings(
            week.hosts,
            week.interns,
            embedder,
            locks=week.locks,
            mode=spec.mode,
            weights=spec.weights,
        )
        report = fairness_report(proposal, week.hosts, week.interns)
        from service.api.proposals import proposal_json  # service.api imports this module

        scenario_id = _scenario_id()
        now = self._clock()
        body = {
            "proposal": json.loads(proposal_json(proposal)),
            "fairness": report.as_dict(),
        }
        column = season_scenarios_table.c
        with self._engine.begin() as conn:
            conn.execute(
                season_scenarios_table.insert().values(
                    id=scenario_id,
                    season_id=season_id,
                    name=spec.name.strip() or spec.mode,
                    made_at=now,
                    body=json.dumps(body, ensure_ascii=False),
                    chosen=False,
                )
            )
            newest = (
                sa.select(column.id)
                .where(column.season_id == season_id)
                .order_by(column.made_at.desc(), column.id.desc())
                .limit(MAX_SCENARIOS)
            )
            conn.execute(
                season_scenarios_table.delete().where(
                    column.season_id == season_id, column.id.not_in(newest), ~column.chosen
                )
            )
            changes: dict[str, list[str | None]] = {
                "scenario": [None, spec.name],
                "mode": [None, spec.mode],
                "weights": [None, json.dumps(asdict(spec.weights))],
            }
            audit_season(conn, actor, season_id, "scenario", changes, now)
        return Scenario(scenario_id, season_id, spec.name, now, False, proposal, report)

    def scenarios(self, season_id: int, ids: list[str] | None = None) -> list[Scenario]:
        """Newest first; only `ids` when given."""
        column = season_scenarios_table.c
        query = sa.select(season_scenarios_table).where(column.season_id == season_id)
        if ids is not None:
            query = query.where(column.id.in_(ids))
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(column.made_at.desc(), column.id.desc())).all()
        return [_scenario(r) for r in rows]

    def scenario(self, season_id: int, scenario_id: str) -> Scenario:
        found = self.scenarios(season_id, [scenario_id])
        if not found:
            raise SeasonError("Scenariet findes ikke (længere) i denne sæson.")
        return found[0]

    def _season(self, season_id: int) -> Season:
        with self._engine.connect() as conn:
            return season_in(conn, season_id)


def require_phase(season: Season, phases: tuple[str, ...], what: str) -> None:
    if season.phase not in phases:
        from service.season.labels import PHASE_LABELS

        allowed = " eller ".join(f"'{PHASE_LABELS[p]}'" for p in phases)  # type: ignore[index]
        raise SeasonError(
            f"Man kan kun {what}, når sæsonen er i fasen {allowed}; "
            f"den er nu i '{PHASE_LABELS[season.phase]}'."
        )


def _participant_row(
    season_id: int, role: str, values: dict[str, str], email_column: str, now: dt.datetime
) -> dict[str, Any]:
    return {
        "season_id": season_id,
        "role": role,
        "id": values.get("id", "").strip(),
        "fields": json.dumps(values, ensure_ascii=False),
        "email": values.get(email_column, "").strip().lower(),
        "updated_at": now,
    }


def _with_rows(table: Table, items: list[dict[str, str]]) -> Table:
    """The table with registrations after its own rows (numbered on from its last line)."""
    last = max((row.line for row in table.rows), default=1)
    columns = list(dict.fromkeys([*table.columns, *(k for item in items for k in item)]))
    extra = [Row(last + n, dict(item)) for n, item in enumerate(items, 1)]
    return Table(table.name, columns, [*table.rows, *extra])


def _table(name: str, items: list[dict[str, str]]) -> Table:
    columns = list(dict.fromkeys(k for item in items for k in item))
    return Table(name, columns, [Row(n, dict(item)) for n, item in enumerate(items, 1)])


def _scenario(row: sa.Row[Any]) -> Scenario:
    from service.api.proposals import proposal_from_json  # service.api imports this module

    body = json.loads(row.body)
    report = _fairness_from(body["fairness"])
    return Scenario(
        row.id,
        int(row.season_id),
        row.name,
        row.made_at,
        bool(row.chosen),
        proposal_from_json(json.dumps(body["proposal"])),
        report,
    )


def _fairness_from(data: dict[str, Any]) -> FairnessReport:
    from engine.season import Group, LeftOut

    def groups(rows: list[dict[str, Any]]) -> list[Group]:
        return [Group(r["name"], r["interns"], r["matched"], r["cross_sector"]) for r in rows]

    return FairnessReport(
        interns=data["interns"],
        matched=data["matched"],
        with_wishes=data["with_wishes"],
        wishes=data["wishes"],
        left_out=[LeftOut(**x) for x in data["left_out"]],
        left_out_by_cause=data["left_out_by_cause"],
        cross_sector_share=data["cross_sector_share"],
        cross_sector_reference=data["cross_sector_reference"],
        by_organisation=groups(data["by_organisation"]),
        by_sector=groups(data["by_sector"]),
        blocking_pairs=[(a, b) for a, b in data["blocking_pairs"]],
        total_fit=data["total_fit"],
        mean_fit=data["mean_fit"],
    )
