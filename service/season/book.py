"""Seasons: created and moved on by coordinators, one of them current; every step audit-logged."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from engine.season import PHASES, Phase, SeasonDates, SeasonError, next_phase
from indexer.audit import Actor
from indexer.clock import Clock, utc_now
from indexer.errors import NotFoundError
from indexer.schema import audit_table, seasons_table

AUDIT_KIND = "season"


@dataclass(frozen=True)
class Season:
    id: int
    name: str
    phase: Phase
    is_current: bool
    dates: SeasonDates
    created_at: dt.datetime
    phase_since: dt.datetime
    intern_letter: str | None
    host_letter: str | None

    @property
    def phase_number(self) -> int:
        """1 for registration open … 7 for archived."""
        return PHASES.index(self.phase) + 1


class SeasonBook:
    def __init__(self, engine: sa.Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def create(self, name: str, dates: SeasonDates, actor: Actor, *, current: bool) -> Season:
        """A new season, open for registration; `current` makes it the one pages show."""
        name = name.strip()
        if not name:
            raise SeasonError("Giv sæsonen et navn, fx 'Innovationspraktik 2027, uge 37'.")
        now = self._clock()
        with self._engine.begin() as conn:
            first = conn.execute(sa.select(sa.func.count()).select_from(seasons_table)).scalar()
            current = current or not first  # the first season is current by itself
            if current:
                conn.execute(seasons_table.update().values(is_current=False))
            key = conn.execute(
                seasons_table.insert().values(
                    name=name,
                    phase=PHASES[0],
                    is_current=current,
                    registration_opens=dates.registration_opens,
                    registration_deadline=dates.registration_deadline,
                    week_starts=dates.week_starts,
                    week_ends=dates.week_ends,
                    created_at=now,
                    phase_since=now,
                )
            ).inserted_primary_key
            season_id = int(key[0]) if key else 0
            changes: dict[str, list[str | None]] = {
                "name": [None, name],
                "phase": [None, PHASES[0]],
                "registration_deadline": [None, dates.registration_deadline.isoformat()],
                "week_starts": [None, dates.week_starts.isoformat()],
                "week_ends": [None, dates.week_ends.isoformat()],
            }
            audit_season(conn, actor, season_id, "create", changes, now)
        return self.get(season_id)

    def all(self) -> list[Season]:
        """Newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(seasons_table).order_by(seasons_table.c.id.desc()))
            return [_season(r) for r in rows]

    def get(self, season_id: int) -> Season:
        with self._engine.connect() as conn:
            return season_in(conn, season_id)

    def current(self) -> Season | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(seasons_table).where(seasons_table.c.is_current.is_(True))
            ).first()
        return None if row is None else _season(row)

    def advance(self, season_id: int, expected: Phase, actor: Actor) -> Season:
        """Move the season to the phase after `expected`; refused if it is no longer there
        (two coordinators pressing the same button move it once)."""
        now = self._clock()
        with self._engine.begin() as conn:
            season = season_in(conn, season_id)
            if season.phase != expected:
                raise SeasonError(
                    f"Sæsonen er allerede flyttet videre (den er nu i fasen '{season.phase}')."
                )
            new = next_phase(season.phase)
            done = conn.execute(
                seasons_table.update()
                .where(seasons_table.c.id == season_id, seasons_table.c.phase == expected)
                .values(phase=new, phase_since=now)
            )
            if done.rowcount != 1:
                raise SeasonError("Sæsonen blev flyttet af en anden imens. Prøv igen.")
            audit_season(conn, actor, season_id, "phase", {"phase": [expected, new]}, now)
        return self.get(season_id)

    def make_current(self, season_id: int, actor: Actor) -> Season:
        now = self._clock()
        with self._engine.begin() as conn:
            season_in(conn, season_id)
            conn.execute(seasons_table.update().values(is_current=False))
            conn.execute(
                seasons_table.update()
                .where(seasons_table.c.id == season_id)
                .values(is_current=True)
            )
            audit_season(conn, actor, season_id, "current", {"is_current": ["0", "1"]}, now)
        return self.get(season_id)


def season_in(conn: sa.Connection, season_id: int) -> Season:
    row = conn.execute(sa.select(seasons_table).where(seasons_table.c.id == season_id)).first()
    if row is None:
        raise NotFoundError("sæson", str(season_id))
    return _season(row)


def audit_season(
    conn: sa.Connection,
    actor: Actor,
    season_id: int,
    action: str,
    changes: dict[str, list[str | None]],
    at: dt.datetime,
) -> None:
    """One audit row for a coordinator's step in a season (kind "season", the season's id)."""
    conn.execute(
        audit_table.insert().values(
            at=at,
            actor_subject=actor.subject,
            actor_name=actor.name,
            kind=AUDIT_KIND,
            record_id=str(season_id),
            action=action,
            changes=json.dumps(changes, ensure_ascii=False, sort_keys=True),
        )
    )


def _season(row: sa.Row[tuple[object, ...]]) -> Season:
    m = row._mapping
    return Season(
        id=int(m["id"]),
        name=m["name"],
        phase=m["phase"],
        is_current=bool(m["is_current"]),
        dates=SeasonDates(
            m["registration_opens"],
            m["registration_deadline"],
            m["week_starts"],
            m["week_ends"],
        ),
        created_at=m["created_at"],
        phase_since=m["phase_since"],
        intern_letter=m["intern_letter"],
        host_letter=m["host_letter"],
    )
