"""Who edits which units: principal → unit ids, from group claims mapped by the settings (source
"group", rewritten at each sign-in and re-check, keyed by `sub:<subject>`) and from admins
(source "admin": an e-mail, which matches only a provider-verified e-mail, or `sub:<subject>`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from indexer.schema import editors_table

Source = Literal["group", "admin"]


@dataclass(frozen=True)
class EditorRow:
    principal: str
    unit_id: str
    source: Source


SUBJECT_PREFIX = "sub:"


def principal_key(value: str) -> str:
    """E-mails are lower-cased; `sub:<subject>` keeps the subject as the provider sent it."""
    value = value.strip()
    if value.startswith(SUBJECT_PREFIX):
        return value
    return value.lower()


def subject_principal(subject: str) -> str:
    """A subject's own rows: never confused with an e-mail, whatever the subject looks like."""
    return SUBJECT_PREFIX + subject


class Editors:
    """The editors table in the store's database."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def units_of(self, principals: Iterable[str | None]) -> frozenset[str]:
        keys = sorted({principal_key(p) for p in principals if p})
        if not keys:
            return frozenset()
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(editors_table.c.unit_id).where(editors_table.c.principal.in_(keys))
            )
            return frozenset(row.unit_id for row in rows)

    def all(self) -> list[EditorRow]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(editors_table).order_by(
                    editors_table.c.principal, editors_table.c.unit_id, editors_table.c.source
                )
            )
            return [EditorRow(r.principal, r.unit_id, r.source) for r in rows]

    def add(self, principal: str, unit_id: str, source: Source = "admin") -> EditorRow:
        row = EditorRow(principal_key(principal), unit_id.strip(), source)
        with self._engine.begin() as conn:
            exists = conn.execute(
                sa.select(editors_table.c.unit_id).where(
                    editors_table.c.principal == row.principal,
                    editors_table.c.unit_id == row.unit_id,
                    editors_table.c.source == row.source,
                )
            ).first()
            if exists is None:
                conn.execute(editors_table.insert(), vars(row))
        return row

    def remove(self, principal: str, unit_id: str, source: Source = "admin") -> bool:
        with self._engine.begin() as conn:
            done = conn.execute(
                editors_table.delete().where(
                    editors_table.c.principal == principal_key(principal),
                    editors_table.c.unit_id == unit_id,
                    editors_table.c.source == source,
                )
            )
        return done.rowcount > 0

    def set_from_groups(self, principal: str, unit_ids: Iterable[str]) -> None:
        """At sign-in: the group rows of this principal become exactly what the groups give."""
        key = principal_key(principal)
        with self._engine.begin() as conn:
            conn.execute(
                editors_table.delete().where(
                    editors_table.c.principal == key, editors_table.c.source == "group"
                )
            )
            rows = [
                {"principal": key, "unit_id": u, "source": "group"} for u in sorted(set(unit_ids))
            ]
            if rows:
                conn.execute(editors_table.insert(), rows)
