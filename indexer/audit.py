"""The audit log: who changed what and when, old value → new value per changed field.

Rows are written by the audit step of every write (`indexer.steps`), in its transaction.
Erasing a person keeps the facts of the rows about them (when, action, which fields) and
replaces their values and their name as actor (`indexer.erasure`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from indexer.erasure import ErasedPerson, scrubbed
from indexer.plans import Actor as Actor
from indexer.plans import Change
from indexer.records import Record
from indexer.schema import audit_table

Action = Literal["create", "update", "delete", "confirm"]


@dataclass(frozen=True)
class Entry:
    seq: int
    at: dt.datetime
    actor_subject: str
    actor_name: str
    kind: str
    record_id: str
    action: str
    changes: dict[str, list[str | None]]


def diff(old: Record | None, new: Record | None) -> dict[str, list[str | None]]:
    old_fields = old.fields if old else {}
    new_fields = new.fields if new else {}
    names = sorted(set(old_fields) | set(new_fields))
    return {
        n: [old_fields.get(n), new_fields.get(n)]
        for n in names
        if old_fields.get(n) != new_fields.get(n)
    }


class AuditLog:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    @staticmethod
    def on_write(conn: sa.Connection, change: Change) -> None:
        """One row per record the write changed (a unit's people whose fields stay the same
        only had their documents rewritten: no row), and a "confirm" row per record confirmed
        as it is."""
        before, plan = change.before, change.plan
        erased = [
            ErasedPerson.of(old)
            for kind, record_id in plan.deletes
            if kind == "person" and (old := before.get((kind, record_id))) is not None
        ]
        rows: list[tuple[str, str, str, dict[str, list[str | None]]]] = []
        for stored in plan.upserts:
            record = stored.record
            old = before.get((record.kind, record.id))
            changes = diff(old, record)
            if changes:
                action = "update" if old else "create"
                rows.append((record.kind, record.id, action, changes))
        for kind, record_id in plan.deletes:
            rows.append((kind, record_id, "delete", diff(before.get((kind, record_id)), None)))
        changed = {(k, i) for k, i, _, _ in rows}
        rows += [(k, i, "confirm", {}) for k, i in change.confirmed if (k, i) not in changed]
        for person in erased:  # the older rows are the erasure's (indexer.erasure, same commit)
            # This write's own rows never hold the erased values, not even for a moment.
            rows = [(k, i, a, scrubbed(c, person, k, i)) for k, i, a, c in rows]
        if rows:
            conn.execute(audit_table.insert(), [_row(change.at, change.actor, *r) for r in rows])

    def page(self, offset: int = 0, limit: int = 50) -> tuple[list[Entry], int]:
        """Newest first; and how many rows there are in all."""
        with self._engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(audit_table)).scalar_one()
            rows = conn.execute(
                sa.select(audit_table)
                .order_by(audit_table.c.seq.desc())
                .offset(offset)
                .limit(limit)
            ).all()
        return [_entry(r) for r in rows], int(total)

    def of_record(self, kind: str, record_id: str) -> list[Entry]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(audit_table)
                .where(audit_table.c.kind == kind, audit_table.c.record_id == record_id)
                .order_by(audit_table.c.seq)
            ).all()
        return [_entry(r) for r in rows]


def _row(
    at: dt.datetime,
    actor: Actor,
    kind: str,
    record_id: str,
    action: str,
    changes: dict[str, list[str | None]],
) -> dict[str, object]:
    return {
        "at": at,
        "actor_subject": actor.subject,
        "actor_name": actor.name,
        "kind": kind,
        "record_id": record_id,
        "action": action,
        "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True),
    }


def _entry(row: sa.Row[tuple[object, ...]]) -> Entry:
    return Entry(
        int(row.seq),
        row.at,
        row.actor_subject,
        row.actor_name,
        row.kind,
        row.record_id,
        row.action,
        json.loads(row.changes),
    )
