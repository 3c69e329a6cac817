"""Versioned schema migrations (Alembic): every database is brought to `indexer.schema`.

`upgrade(engine)` runs at every start (`Store` opens a database through it) and by hand with
`tvaers db upgrade`. It takes a lock first (PostgreSQL: an advisory lock; SQLite: the write
lock), so processes starting together upgrade once. A database written before Alembic (main
773a4d5 and older) has no version yet: the first migration adds only what it lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

FOLDER = Path(__file__).parent
PG_LOCK_KEY = 7_204_202_620  # pg_advisory_xact_lock: one upgrade at a time per database


@dataclass(frozen=True)
class SchemaChange:
    """The schema version a database had before an upgrade, and has now (None: no tables)."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(FOLDER))
    return config


@cache
def head() -> str:
    """The newest schema version the code knows."""
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


def current(conn: sa.Connection) -> str | None:
    """The schema version of a database (None: before Alembic, or empty)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine) -> SchemaChange:
    """Bring the database to the newest schema; a database already there costs one query."""
    with engine.connect() as conn:
        before = current(conn)
    if before == head():
        return SchemaChange(before, before)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})"))
        elif conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # other processes wait (busy_timeout)
        before = current(conn)  # another process may have upgraded meanwhile
        if before != head():
            config = _config()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    return SchemaChange(before, head())
