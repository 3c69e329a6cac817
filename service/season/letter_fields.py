"""A season's letters: the pair letters of a publish or a round, letters carrying a personal
link (reminders, evaluation), the fields each letter is filled with, and an example of each (to
check a coordinator's own text before it is saved)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from engine.pairing import Pair, Week
from engine.pairing.loading import Host, Intern
from indexer.schema import season_participants_table
from service.mail import Message, render_message
from service.season.book import Season
from service.season.links import Purpose, Role, end_of, make_link

TOPIC = "season_letter"


def season_message(
    season: Season, role: Role, address: str, context: dict[str, Any], own: str | None
) -> Message:
    return render_message(
        address,
        TOPIC,
        context,
        template=own,
        name=f"season_{role}",
        season_id=season.id,
    )


def intern_context(
    intern: Intern, host: Host, pair: Pair, emails: dict[tuple[str, str], str]
) -> dict[str, Any]:
    return {
        "name": intern.name,
        "host_unit": host.unit_name,
        "host_organisation": host.organisation,
        "host_sector": host.sector,
        "offer": host.offer,
        "duration": pair.duration,
        "reason": pair.reason,
        "host_contact": host.contact_email or emails.get(("host", host.id), ""),
    }


def intern_row(intern: Intern, pair: Pair, emails: dict[tuple[str, str], str]) -> dict[str, Any]:
    return {
        "name": intern.name,
        "organisation": intern.organisation,
        "sector": intern.sector,
        "wish": intern.wish,
        "duration": pair.duration,
        "reason": pair.reason,
        "email": emails.get(("intern", intern.id), ""),
    }


def participant_emails(conn: sa.Connection, season_id: int) -> dict[tuple[str, str], str]:
    column = season_participants_table.c
    rows = conn.execute(
        sa.select(column.role, column.id, column.email).where(column.season_id == season_id)
    ).all()
    return {(r.role, r.id): r.email for r in rows if r.email}


def sample_context(role: Role) -> dict[str, Any]:
    """Every field a letter may use, filled with an example (to check a coordinator's text)."""
    common = {
        "season_name": "Innovationspraktik 2027, uge 37",
        "week_starts": dt.date(2027, 9, 13),
        "week_ends": dt.date(2027, 9, 17),
        "link": "https://tvaers.example/praktik/svar/eksempel",
        "host_unit": "Hjemmeplejen Nat",
        "host_organisation": "Faxe Kommune",
    }
    if role == "host":
        intern = {
            "name": "Camilla Berg",
            "organisation": "Region Sjælland",
            "sector": "region",
            "wish": "Skærmbesøg om natten.",
            "duration": 2,
            "reason": "Ønsket og værtens tilbud handler begge om skærmbesøg.",
            "email": "camilla@example.dk",
        }
        return common | {"interns": [intern]}
    return common | {
        "name": "Camilla Berg",
        "host_sector": "kommune",
        "offer": "Følg nattevagten.",
        "duration": 2,
        "reason": "Ønsket og værtens tilbud handler begge om skærmbesøg.",
        "host_contact": "anne@example.dk",
    }


def display_names(week: Week) -> dict[tuple[str, str], str]:
    """(role, id) -> how a letter greets them: an intern's name, a host's unit and organisation."""
    names = {("intern", i.id): i.name for i in week.interns}
    return names | {("host", h.id): f"{h.unit_name}, {h.organisation}" for h in week.hosts}


def personal_link_letters(
    conn: sa.Connection,
    season: Season,
    people: Iterable[tuple[Role, str]],
    names: dict[tuple[str, str], str],
    *,
    purpose: Purpose,
    template: str,
    topic: str,
    base_url: str,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> list[Message]:
    """One letter with a new personal link to each of `people` who gave an e-mail address."""
    emails = participant_emails(conn, season.id)
    messages: list[Message] = []
    for role, participant_id in people:
        address = emails.get((role, participant_id))
        if not address:
            continue
        link = make_link(
            conn,
            base_url=base_url,
            season_id=season.id,
            role=role,
            participant_id=participant_id,
            purpose=purpose,
            now=now,
            expires_at=expires_at,
        )
        context = {
            "season_name": season.name,
            "week_starts": season.dates.week_starts,
            "week_ends": season.dates.week_ends,
            "name": names.get((role, participant_id), ""),
            "role": role,
            "link": link,
        }
        messages.append(render_message(address, topic, context, name=template, season_id=season.id))
    return messages


def pair_letters(
    conn: sa.Connection,
    season: Season,
    week: Week,
    pairs: Iterable[Pair],
    base_url: str,
    now: dt.datetime,
) -> tuple[list[Message], list[str]]:
    """One letter per intern and one per host of these pairs, each with a new answer link; and
    who has no e-mail address."""
    hosts = {h.id: h for h in week.hosts}
    interns = {i.id: i for i in week.interns}
    emails = participant_emails(conn, season.id)
    expires = end_of(season.dates.week_ends)
    by_host: dict[str, list[Pair]] = defaultdict(list)
    messages: list[Message] = []
    missing: list[str] = []

    def link(role: Role, participant_id: str) -> str:
        return make_link(
            conn,
            base_url=base_url,
            season_id=season.id,
            role=role,
            participant_id=participant_id,
            purpose="answer",
            now=now,
            expires_at=expires,
        )

    common = {
        "season_name": season.name,
        "week_starts": season.dates.week_starts,
        "week_ends": season.dates.week_ends,
    }
    for pair in pairs:
        by_host[pair.host_id].append(pair)
        host, intern = hosts[pair.host_id], interns[pair.intern_id]
        address = emails.get(("intern", intern.id), "")
        if not address:
            missing.append(f"praktikant {intern.id}")
            continue
        context = (
            common
            | intern_context(intern, host, pair, emails)
            | {"link": link("intern", intern.id)}
        )
        messages.append(season_message(season, "intern", address, context, season.intern_letter))
    for host_id, host_pairs in by_host.items():
        host = hosts[host_id]
        address = emails.get(("host", host_id), "")
        if not address:
            missing.append(f"vært {host_id}")
            continue
        context = common | {
            "host_unit": host.unit_name,
            "host_organisation": host.organisation,
            "interns": [intern_row(interns[p.intern_id], p, emails) for p in host_pairs],
            "link": link("host", host_id),
        }
        messages.append(season_message(season, "host", address, context, season.host_letter))
    return messages, missing
