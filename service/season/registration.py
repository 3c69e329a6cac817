"""Hosts and interns register themselves for a season, and edit it until the deadline.

A registration is a row of the season's participants like an imported one, with an `owner`: the
signed-in user ("sub:<subject>") or the work e-mail a personal link confirmed ("mail:<address>").
So registrations and a coordinator's bulk import feed the same review, and a new import replaces
only imported rows. A registration is checked by the very rules an upload is
(`week_from_tables`), plus the form's own (a reason for excluded hosts, no wish in one's own
organisation). Every change is audit-logged as a season step ("register", "withdraw", and
"link" for a personal link sent).

A personal link holds a secret of 32 random bytes; only its SHA-256 is stored, so a copy of the
database opens no registration. It is valid until it expires or the person is erased.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from engine.pairing import week_from_tables
from engine.pairing.loading import HOST_COLUMNS, INTERN_COLUMNS, same_organisation
from engine.season import SeasonError
from indexer.audit import Actor
from indexer.clock import Clock, utc_now
from indexer.errors import DataError, Problem
from indexer.schema import season_participants_table, season_registration_links_table
from indexer.tables import Row, Table
from service.season.book import Season, audit_season, season_in

Role = Literal["host", "intern"]
ROLES: tuple[Role, ...] = ("host", "intern")
ID_PREFIX: dict[Role, str] = {"host": "reg-h-", "intern": "reg-i-"}
EMAIL_COLUMN: dict[Role, str] = {"host": "contact_email", "intern": "email"}
FILE_NAME: dict[Role, str] = {"host": "værter", "intern": "praktikanter"}
OPEN_PHASE = "registration_open"
MAX_HOST_CHOICES = 20


class RegistrationClosedError(SeasonError):
    """The season is past its registration deadline: registrations are read-only."""


@dataclass(frozen=True)
class Registrant:
    """Who registers: a signed-in user, or the person whose work e-mail a link confirmed."""

    owner: str
    name: str
    email: str | None
    season_id: int | None = None  # a link opens its own season only

    @classmethod
    def signed_in(cls, subject: str, name: str, email: str | None) -> Registrant:
        return cls(f"sub:{subject}", name, email.strip().lower() if email else None)

    @classmethod
    def by_link(cls, email: str, season_id: int) -> Registrant:
        return cls(f"mail:{email}", email, email, season_id)

    @property
    def actor(self) -> Actor:
        """The audit's "who": the confirmed e-mail (so erasing them finds it) or the subject."""
        subject = self.email if self.owner.startswith("mail:") and self.email else self.owner
        return Actor(subject.removeprefix("sub:"), self.name)


@dataclass(frozen=True)
class Registration:
    season_id: int
    role: Role
    id: str
    values: dict[str, str]  # the row as hosts.csv / interns.csv hold it
    updated_at: dt.datetime


def registration_closed_message(season: Season) -> str:
    deadline = season.dates.registration_deadline.strftime("%d-%m-%Y")
    return (
        f"Tilmeldingen til {season.name} er lukket (fristen var {deadline}). Du kan se din "
        "tilmelding, men ikke ændre den. Skriv til praktikkens koordinator, hvis noget skal rettes."
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Registrations:
    def __init__(self, engine: sa.Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self.clock = clock  # tests move it on to expire links

    def mine(self, season_id: int, registrant: Registrant) -> dict[Role, Registration]:
        column = season_participants_table.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(season_participants_table).where(
                    column.season_id == season_id, column.owner == registrant.owner
                )
            ).all()
        return {r.role: _registration(r) for r in rows}

    def save(
        self, season_id: int, registrant: Registrant, role: Role, values: dict[str, str]
    ) -> Registration:
        """Create or replace the registrant's registration as `role`; DataError names the fields
        that break a rule, RegistrationClosedError after the deadline."""
        now = self.clock()
        column = season_participants_table.c
        with self._engine.begin() as conn:
            check_open(season_in(conn, season_id))
            old = conn.execute(
                sa.select(season_participants_table).where(
                    column.season_id == season_id,
                    column.role == role,
                    column.owner == registrant.owner,
                )
            ).first()
            participant_id = old.id if old is not None else _new_id(role)
            row = {"id": participant_id, **{k: v for k, v in values.items() if k != "id"}}
            named = {
                h for key in ("wished_hosts", "excluded_hosts") for h in row.get(key, "").split(";")
            }
            hosts = _hosts_of(conn, season_id, named - {""}) if role == "intern" else []
            check_registration(role, row, hosts)
            fields = json.dumps(row, ensure_ascii=False)
            email = row.get(EMAIL_COLUMN[role], "").strip().lower()
            if old is None:
                conn.execute(
                    season_participants_table.insert().values(
                        season_id=season_id,
                        role=role,
                        id=participant_id,
                        fields=fields,
                        email=email,
                        updated_at=now,
                        owner=registrant.owner,
                    )
                )
            else:
                conn.execute(
                    season_participants_table.update()
                    .where(
                        column.season_id == season_id,
                        column.role == role,
                        column.id == participant_id,
                    )
                    .values(fields=fields, email=email, updated_at=now)
                )
            before: dict[str, str] = json.loads(old.fields) if old is not None else {}
            changes: dict[str, list[str | None]] = {
                key: [before.get(key), row.get(key)]
                for key in sorted(set(before) | set(row))
                if before.get(key) != row.get(key)
            }
            changes["registration"] = [None, f"{role} {participant_id}"]
            audit_season(conn, registrant.actor, season_id, "register", changes, now)
        return Registration(season_id, role, participant_id, row, now)

    def withdraw(self, season_id: int, registrant: Registrant, role: Role) -> bool:
        now = self.clock()
        column = season_participants_table.c
        with self._engine.begin() as conn:
            check_open(season_in(conn, season_id))
            done = conn.execute(
                season_participants_table.delete().where(
                    column.season_id == season_id,
                    column.role == role,
                    column.owner == registrant.owner,
                )
            )
            if done.rowcount:
                changes: dict[str, list[str | None]] = {"registration": [role, None]}
                audit_season(conn, registrant.actor, season_id, "withdraw", changes, now)
        return bool(done.rowcount)

    def host_choices(self, season_id: int, query: str, limit: int) -> list[dict[str, str]]:
        """The season's hosts whose unit or organisation holds every typed word's start."""
        words = query.casefold().split()
        with self._engine.connect() as conn:
            hosts = _hosts_of(conn, season_id)
        found = []
        for host in sorted(hosts, key=lambda h: (h.get("unit_name", ""), h.get("id", ""))):
            text = f"{host.get('unit_name', '')} {host.get('organisation', '')}".casefold()
            said = text.replace(",", " ").replace("–", " ").split()
            if all(any(w.startswith(word) for w in said) for word in words):
                found.append(host)
            if len(found) >= limit:
                break
        return found

    # Personal links ------------------------------------------------------------------------

    def grant_link(self, season_id: int, email: str, valid_for: dt.timedelta) -> str:
        """A new personal link's secret for this address (sent, never stored; links sent
        before stay valid until they expire)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._engine.begin() as conn:
            season_in(conn, season_id)
            conn.execute(
                season_registration_links_table.insert().values(
                    token_hash=token_hash(token),
                    season_id=season_id,
                    email=email.strip().lower(),
                    made_at=now,
                    expires_at=now + valid_for,
                )
            )
            address = email.strip().lower()
            changes: dict[str, list[str | None]] = {"link": [None, address]}
            audit_season(conn, Actor(address, address), season_id, "link", changes, now)
        return token

    def by_link(self, hashed: str) -> Registrant | None:
        """Who a link (its hash, as a session keeps it) opens for, while it is valid."""
        links = season_registration_links_table.c
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(links.email, links.season_id).where(
                    links.token_hash == hashed, links.expires_at > self.clock()
                )
            ).first()
        return None if row is None else Registrant.by_link(row.email, int(row.season_id))


def check_open(season: Season) -> None:
    if season.phase != OPEN_PHASE:
        raise RegistrationClosedError(registration_closed_message(season))


def check_registration(role: Role, row: dict[str, str], hosts: list[dict[str, str]]) -> None:
    """The upload's rules for one row (DataError, with the column of each problem); `hosts`
    holds at least the hosts an intern names."""
    name = FILE_NAME[role]
    problems: list[Problem] = []
    if role == "host":
        tables = (_table(name, HOST_COLUMNS, [row]), _table("praktikanter", INTERN_COLUMNS, []))
    else:
        tables = (_table("værter", HOST_COLUMNS, hosts), _table(name, INTERN_COLUMNS, [row]))
        if row.get("excluded_hosts") and not row.get("exclusion_reason", "").strip():
            problems.append(
                Problem(name, "skriv hvorfor du ikke må komme dér", 1, "exclusion_reason")
            )
        own = {
            h["id"]
            for h in hosts
            if same_organisation(h.get("organisation", ""), row.get("organisation", ""))
        }
        wished_own = [h for h in row.get("wished_hosts", "").split(";") if h in own]
        if wished_own:
            problems.append(
                Problem(
                    name,
                    "praktikken foregår uden for din egen organisation; vælg en vært et andet sted",
                    1,
                    "wished_hosts",
                )
            )
    try:
        week_from_tables(*tables)
    except DataError as exc:
        problems = [*exc.problems, *problems]
    if problems:
        raise DataError(problems)


def _table(name: str, columns: tuple[str, ...], items: list[dict[str, str]]) -> Table:
    every = list(dict.fromkeys([*columns, *(k for item in items for k in item)]))
    return Table(name, every, [Row(n, dict(item)) for n, item in enumerate(items, 1)])


def _hosts_of(
    conn: sa.Connection, season_id: int, ids: set[str] | None = None
) -> list[dict[str, str]]:
    """The season's hosts (only those of `ids` when given: an intern's check needs no more)."""
    column = season_participants_table.c
    query = sa.select(column.fields).where(column.season_id == season_id, column.role == "host")
    if ids is not None:
        query = query.where(column.id.in_(sorted(ids)))
    return [json.loads(fields) for fields in conn.execute(query).scalars()]


def _new_id(role: Role) -> str:
    return ID_PREFIX[role] + secrets.token_hex(4)


def _registration(row: Any) -> Registration:
    return Registration(
        int(row.season_id), row.role, row.id, json.loads(row.fields), row.updated_at
    )
