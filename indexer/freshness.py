"""When each record was last confirmed as still true, and by whom.

A save counts as a confirmation by its editor; an import as one by "import" at import time;
"Det passer stadig" confirms without changing anything. The table lives in the store's
database (`indexer.schema`), and is written in the same transaction as the change it follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from indexer.plans import IMPORT as IMPORT_ACTOR
from indexer.plans import Change
from indexer.plans import Confirmation as Confirmation
from indexer.plans import utc_now as now
from indexer.schema import freshness_table, key_chunks

IMPORT = IMPORT_ACTOR.name


class Freshness:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    # Writing (inside a write's transaction) ---------------------------------------------

    @staticmethod
    def stamp(
        conn: sa.Connection, keys: Iterable[tuple[str, str]], by: str, at: dt.datetime | None = None
    ) -> dict[tuple[str, str], Confirmation]:
        keys = sorted(set(keys))
        if not keys:
            return {}
        at = at or now()
        _delete(conn, keys)
        conn.execute(
            freshness_table.insert(),
            [{"kind": k, "id": i, "confirmed_at": at, "confirmed_by": by} for k, i in keys],
        )
        return {key: Confirmation(at, by) for key in keys}

    @staticmethod
    def on_write(conn: sa.Connection, change: Change) -> None:
        """Deleted records leave the table; new or changed ones (and the confirmed) are stamped
        by the writer's name."""
        _delete(conn, change.plan.deletes)
        changed = [
            (s.record.kind, s.record.id)
            for s in change.plan.upserts
            if change.before.get((s.record.kind, s.record.id)) != s.record
        ]
        stamped = Freshness.stamp(conn, [*changed, *change.confirmed], change.actor.name, change.at)
        change.confirmations.update(stamped)

    # Reading ----------------------------------------------------------------------------

    def of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Confirmation]:
        """Many records' confirmations in one go (a page of search hits)."""
        found: dict[tuple[str, str], Confirmation] = {}
        with self._engine.connect() as conn:
            for kind, chunk in key_chunks(keys):
                rows = conn.execute(
                    sa.select(freshness_table).where(
                        freshness_table.c.kind == kind, freshness_table.c.id.in_(chunk)
                    )
                )
                for r in rows:
                    found[(r.kind, r.id)] = Confirmation(r.confirmed_at, r.confirmed_by)
        return found

    def get(self, kind: str, record_id: str) -> Confirmation | None:
        return self.of([(kind, record_id)]).get((kind, record_id))

    def older_than(self, cutoff: dt.datetime) -> list[tuple[str, str, Confirmation]]:
        """Records last confirmed before `cutoff`, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(freshness_table)
                .where(freshness_table.c.confirmed_at < cutoff)
                .order_by(
                    freshness_table.c.confirmed_at, freshness_table.c.kind, freshness_table.c.id
                )
            )
            return [(r.kind, r.id, Confirmation(r.confirmed_at, r.confirmed_by)) for r in rows]


def _delete(conn: sa.Connection, keys: Iterable[tuple[str, str]]) -> None:
    for kind, chunk in key_chunks(keys):
        conn.execute(
            freshness_table.delete().where(
                freshness_table.c.kind == kind, freshness_table.c.id.in_(chunk)
            )
        )
