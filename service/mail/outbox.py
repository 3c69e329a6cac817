"""The outbox table: messages waiting, being sent, sent or given up, with their attempts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from indexer.clock import Clock, utc_now
from indexer.schema import mail_outbox_table

Status = Literal["waiting", "sending", "sent", "failed"]
# A claim older than this was left by a process that stopped while sending: it is taken again
# (a message may then arrive twice, which beats never).
STALE_CLAIM = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Message:
    """A message to send: `topic` says what it is (a season letter, a link), for the list."""

    to_address: str
    subject: str
    body: str
    topic: str
    season_id: int | None = None


@dataclass(frozen=True)
class StoredMessage:
    id: int
    topic: str
    season_id: int | None
    to_address: str
    subject: str
    body: str
    made_at: dt.datetime
    status: Status
    attempts: int
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str | None


class Outbox:
    def __init__(
        self,
        engine: sa.Engine,
        clock: Clock = utc_now,
        *,
        max_attempts: int = 5,
        retry_seconds: float = 60.0,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.max_attempts = max_attempts
        self.retry_seconds = retry_seconds

    def add(self, messages: Iterable[Message], conn: sa.Connection | None = None) -> int:
        """Queue messages; inside `conn`'s transaction when given (they commit with the write
        that made them, or not at all)."""
        now = self._clock()
        rows = [_row(m, now) for m in messages]
        if not rows:
            return 0
        if conn is not None:
            conn.execute(mail_outbox_table.insert(), rows)
        else:
            with self._engine.begin() as own:
                own.execute(mail_outbox_table.insert(), rows)
        return len(rows)

    def messages(
        self,
        *,
        season_id: int | None = None,
        status: Status | None = None,
        limit: int = 500,
    ) -> list[StoredMessage]:
        """Newest first."""
        column = mail_outbox_table.c
        query = sa.select(mail_outbox_table)
        if season_id is not None:
            query = query.where(column.season_id == season_id)
        if status is not None:
            query = query.where(column.status == status)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(column.id.desc()).limit(limit)).all()
        return [_stored(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Messages per status (every status present, zero when none)."""
        column = mail_outbox_table.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(column.status, sa.func.count()).group_by(column.status)
            ).all()
        counts = dict.fromkeys(("waiting", "sending", "sent", "failed"), 0)
        counts.update({str(status): int(n) for status, n in rows})
        return counts

    def claim_due(self, limit: int = 50) -> list[StoredMessage]:
        """Messages due now, each marked as being sent by this process (two senders, on two
        replicas, never both take one: the update only changes a row still in its old state)."""
        now = self._clock()
        column = mail_outbox_table.c
        due = sa.or_(
            sa.and_(column.status == "waiting", column.next_attempt_at <= now),
            sa.and_(column.status == "sending", column.next_attempt_at <= now - STALE_CLAIM),
        )
        claimed: list[StoredMessage] = []
        with self._engine.begin() as conn:
            rows = conn.execute(
                sa.select(mail_outbox_table).where(due).order_by(column.id).limit(limit)
            ).all()
            for row in rows:
                done = conn.execute(
                    mail_outbox_table.update()
                    .where(
                        column.id == row.id,
                        column.status == row.status,
                        column.next_attempt_at == row.next_attempt_at,
                    )
                    .values(status="sending", next_attempt_at=now)
                )
                if done.rowcount == 1:
                    claimed.append(_stored(row))
        return claimed

    def mark_sent(self, message_id: int) -> None:
        now = self._clock()
        with self._engine.begin() as conn:
            conn.execute(
                mail_outbox_table.update()
                .where(mail_outbox_table.c.id == message_id)
                .values(
                    status="sent",
                    sent_at=now,
                    attempts=mail_outbox_table.c.attempts + 1,
                    last_error=None,
                )
            )

    def mark_failed_attempt(self, message: StoredMessage, error: str, *, permanent: bool) -> Status:
        """Count a failed attempt: try again later (each wait twice the one before), or give up
        after `max_attempts` or at once when the server refused it for good."""
        attempts = message.attempts + 1
        status: Status = "failed" if permanent or attempts >= self.max_attempts else "waiting"
        wait = dt.timedelta(seconds=self.retry_seconds * 2 ** (attempts - 1))
        with self._engine.begin() as conn:
            conn.execute(
                mail_outbox_table.update()
                .where(mail_outbox_table.c.id == message.id)
                .values(
                    status=status,
                    attempts=attempts,
                    next_attempt_at=self._clock() + wait,
                    last_error=error[:2000],
                )
            )
        return status

    def retry_failed(self, message_ids: Iterable[int] | None = None) -> int:
        """Give given-up messages (all, or these) a fresh set of attempts."""
        column = mail_outbox_table.c
        query = mail_outbox_table.update().where(column.status == "failed")
        if message_ids is not None:
            query = query.where(column.id.in_(list(message_ids)))
        with self._engine.begin() as conn:
            done = conn.execute(
                query.values(status="waiting", attempts=0, next_attempt_at=self._clock())
            )
        return int(done.rowcount)


def _row(message: Message, now: dt.datetime) -> dict[str, Any]:
    return {
        "topic": message.topic,
        "season_id": message.season_id,
        "to_address": message.to_address.strip(),
        "subject": message.subject,
        "body": message.body,
        "made_at": now,
        "status": "waiting",
        "attempts": 0,
        "next_attempt_at": now,
    }


def _stored(row: sa.Row[Any]) -> StoredMessage:
    m = row._mapping
    return StoredMessage(
        id=int(m["id"]),
        topic=m["topic"],
        season_id=m["season_id"],
        to_address=m["to_address"],
        subject=m["subject"],
        body=m["body"],
        made_at=m["made_at"],
        status=m["status"],
        attempts=int(m["attempts"]),
        next_attempt_at=m["next_attempt_at"],
        sent_at=m["sent_at"],
        last_error=m["last_error"],
    )
