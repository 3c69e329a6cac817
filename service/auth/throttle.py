"""Throttling per client address: failed API-key checks, sign-in starts and answers, and asking
for a personal registration link (also per e-mail address asked for).

Counted by `limits` in fixed windows kept in the database (`throttle_counts`), not in a
process's memory: with several workers or replicas on one database, an address gets the
setting's number of tries in all of them together, not that many in each. A fixed window lets
a client spend up to twice the limit across a window's edge; a moving window would need a row
per attempt. Over the limit the service answers 429 with Retry-After, in Danish.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

import sqlalchemy as sa
from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter

from indexer.schema import throttle_table

Kind = Literal["key", "sign_in", "registration_link", "registration_mail"]
Clock = Callable[[], float]


class DatabaseStorage(Storage):
    """A `limits` storage on tvaers' own database: one row per key, its count and window end.

    `incr` is one INSERT … ON CONFLICT DO UPDATE … RETURNING (SQLite and PostgreSQL), so two
    processes counting the same address at once both count."""

    STORAGE_SCHEME = None  # made directly, never from a URI

    def __init__(self, engine: sa.Engine, clock: Clock = time.time) -> None:
        super().__init__()
        self._engine = engine
        self.clock = clock

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self.clock()
        table = throttle_table
        stmt = _insert(self._engine)(table).values(key=key, count=amount, expires_at=now + expiry)
        over = table.c.expires_at <= now  # the row's window has ended: a new one starts
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": sa.case((over, amount), else_=table.c.count + amount),
                "expires_at": sa.case((over, now + expiry), else_=table.c.expires_at),
            },
        ).returning(table.c.count)
        with self._engine.begin() as conn:
            conn.execute(table.delete().where(table.c.expires_at < now - 3600))  # old addresses
            return int(conn.execute(stmt).scalar_one())

    def get(self, key: str) -> int:
        with self._engine.connect() as conn:
            found = conn.execute(
                sa.select(throttle_table.c.count).where(
                    throttle_table.c.key == key, throttle_table.c.expires_at > self.clock()
                )
            ).scalar()
        return int(found or 0)

    def get_expiry(self, key: str) -> float:
        with self._engine.connect() as conn:
            found = conn.execute(
                sa.select(throttle_table.c.expires_at).where(throttle_table.c.key == key)
            ).scalar()
        now = self.clock()
        return float(found) if found is not None and found > now else now

    def check(self) -> bool:
        with self._engine.connect() as conn:
            conn.execute(sa.select(sa.literal(1)))
        return True

    def reset(self) -> int | None:
        with self._engine.begin() as conn:
            return int(conn.execute(throttle_table.delete()).rowcount)

    def clear(self, key: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(throttle_table.delete().where(throttle_table.c.key == key))


def _insert(engine: sa.Engine) -> Callable[[sa.Table], Any]:
    """The dialect's INSERT with ON CONFLICT (both spell it alike)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    if engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    raise NotImplementedError(f"throttling needs SQLite or PostgreSQL, not {engine.dialect.name}")


class Throttle:
    def __init__(
        self,
        engine: sa.Engine,
        key_failures: str,
        sign_ins: str,
        clock: Clock = time.time,
        *,
        registration_links: str = "10/hour",
        registration_mails: str = "3/hour",
    ) -> None:
        self._storage = DatabaseStorage(engine, clock)
        self._limiter = FixedWindowRateLimiter(self._storage)
        self._items: dict[Kind, RateLimitItem] = {
            "key": parse(key_failures),
            "sign_in": parse(sign_ins),
            "registration_link": parse(registration_links),
            "registration_mail": parse(registration_mails),
        }

    def blocked(self, kind: Kind, client: str) -> float | None:
        """Seconds until this client may try again, or None when it may now."""
        item = self._items[kind]
        if self._limiter.test(item, kind, client):
            return None
        stats = self._limiter.get_window_stats(item, kind, client)
        return max(1.0, stats.reset_time - self._storage.clock())

    def failed(self, kind: Kind, client: str) -> None:
        self._limiter.hit(self._items[kind], kind, client)

    def attempt(self, kind: Kind, client: str) -> float | None:
        """Count an attempt; seconds to wait when it is one too many, else None."""
        if self._limiter.hit(self._items[kind], kind, client):
            return None
        return self.blocked(kind, client) or 1.0
