"""What a write is made of: its plan, who makes it, and the change its dependent steps see.

Kept apart from `indexer.store` so that the steps (`indexer.steps`: audit, freshness, editors,
erasure) and the store that runs them can both name these without importing each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from indexer.records import Kind, Record

Key = tuple[str, str]  # (kind, id)


@dataclass(frozen=True)
class StoredRecord:
    """A record as written: with the hash of its document's text (the vector it needs)."""

    record: Record
    content_hash: str


@dataclass
class Plan:
    """What one transaction writes: records to store, keys to delete, vectors of new texts."""

    upserts: list[StoredRecord] = field(default_factory=list)
    deletes: list[tuple[Kind, str]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # content hash → text, to embed
    reset: bool = False

    @property
    def keys(self) -> list[Key]:
        upserted: list[Key] = [(s.record.kind, s.record.id) for s in self.upserts]
        return upserted + [(k, i) for k, i in self.deletes]


@dataclass(frozen=True)
class Actor:
    """Who writes: a signed-in person (subject, name), an API key ("key:NAME", its name), or
    `IMPORT` (`tvaers index`, `reindex`, and library callers that name nobody)."""

    subject: str
    name: str


IMPORT = Actor("import", "import")


@dataclass(frozen=True)
class Confirmation:
    confirmed_at: dt.datetime  # UTC, naive
    confirmed_by: str


def utc_now() -> dt.datetime:
    """The time a write stamps (UTC, naive, whole seconds: what every database keeps alike)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class Change:
    """One write as its dependent steps see it, inside its transaction; the steps add what
    they stored (confirmations, erased rows), which the write returns to its caller."""

    revision: int  # the log revision of the write (unchanged for a confirmation alone)
    plan: Plan
    before: dict[Key, Record]  # the records the write replaced or deleted, as they were
    actor: Actor
    confirmed: tuple[Key, ...] = ()  # confirmed as they are, changed or not
    at: dt.datetime = field(default_factory=utc_now)
    confirmations: dict[Key, Confirmation] = field(default_factory=dict)
    erased: dict[str, int] = field(default_factory=dict)  # rows changed per erasure sink
