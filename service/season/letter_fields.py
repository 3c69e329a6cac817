"""What a season's letters say: the fields each built-in or coordinator's letter is filled with,
and an example of each (to check a coordinator's own text before it is saved)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from engine.pairing import Pair
from engine.pairing.loading import Host, Intern
from indexer.schema import season_participants_table
from service.mail import Message, render_message
from service.season.book import Season
from service.season.links import Role

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
