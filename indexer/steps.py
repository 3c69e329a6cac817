"""What every write sets off: the one list of dependent steps, run inside the write's transaction.

`Store.commit` is the only writer of records (the API, the edit pages, `tvaers index`,
`reindex` and erasure all end there). After it has written the records, their vectors and the
change log's revision, it runs every step of `STEPS`, in order, on the same connection: what a
step writes commits or rolls back with the change, and no caller can leave one out. A new
dependent step is one function added here (tests/test_write_path.py checks that every path runs
each step once).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from indexer import erasure
from indexer.audit import AuditLog
from indexer.freshness import Freshness
from indexer.plans import Change
from indexer.schema import editors_table

Step = Callable[[sa.Connection, Change], None]


def forget_editors_of_deleted_units(conn: sa.Connection, change: Change) -> None:
    """A deleted unit takes its editors along: a unit made later under the same id starts with
    none, rather than with whoever edited the old one."""
    units = [record_id for kind, record_id in change.plan.deletes if kind == "unit"]
    if units:
        conn.execute(editors_table.delete().where(editors_table.c.unit_id.in_(units)))


def erase_deleted_people(conn: sa.Connection, change: Change) -> None:
    """Every erasure sink (`indexer.erasure.SINKS`: audit values, confirmations, counted
    searches, editors, sessions, proposals, the season) for each person the write deletes."""
    change.erased.update(erasure.erase_deleted_people(conn, change.before, change.plan.deletes))


# In order: the audit rows first (they scrub an erased person's values from themselves), the
# erasure last (it rewrites what the steps before it may have stamped with their name).
STEPS: dict[str, Step] = {
    "audit": AuditLog.on_write,
    "freshness": Freshness.on_write,
    "editors": forget_editors_of_deleted_units,
    "erasure": erase_deleted_people,
}


def run_steps(conn: sa.Connection, change: Change) -> None:
    for step in STEPS.values():
        step(conn, change)
