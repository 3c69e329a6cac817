"""Personal links (answer, evaluation): a random token in the link, only its SHA-256 stored.

A leaked database gives no working link; a token names one person in one season and stops
working at its expiry date or once the season is archived."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from engine.season import SeasonError
from indexer.schema import season_links_table
from service.season.book import Season, season_in

Purpose = Literal["answer", "evaluation"]
Role = Literal["host", "intern"]
TOKEN_BYTES = 24  # 192 bits
PATHS: dict[Purpose, str] = {"answer": "/praktik/svar", "evaluation": "/praktik/evaluering"}
INVALID = (
    "Linket virker ikke (længere). Det kan være udløbet, eller sæsonen er afsluttet. "
    "Skriv til koordinatoren, hvis du mener, det er en fejl."
)


class LinkError(SeasonError):
    """A link that is unknown, expired or of a closed season (one message for all three)."""


@dataclass(frozen=True)
class LinkHolder:
    season: Season
    role: Role
    participant_id: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_link(
    conn: sa.Connection,
    *,
    base_url: str,
    season_id: int,
    role: Role,
    participant_id: str,
    purpose: Purpose,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> str:
    """A new link for this person (earlier ones keep working until they expire)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    conn.execute(
        season_links_table.insert().values(
            token_hash=hash_token(token),
            season_id=season_id,
            role=role,
            participant_id=participant_id,
            purpose=purpose,
            made_at=now,
            expires_at=expires_at,
        )
    )
    return f"{base_url.rstrip('/')}{PATHS[purpose]}/{token}"


def holder_of(conn: sa.Connection, token: str, purpose: Purpose, now: dt.datetime) -> LinkHolder:
    column = season_links_table.c
    row = conn.execute(
        sa.select(season_links_table).where(
            column.token_hash == hash_token(token), column.purpose == purpose
        )
    ).first()
    if row is None or row.expires_at <= now:
        raise LinkError(INVALID)
    season = season_in(conn, int(row.season_id))
    if season.phase == "archived":
        raise LinkError(INVALID)
    return LinkHolder(season, row.role, row.participant_id)


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59))
