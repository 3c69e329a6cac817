"""Retention: an archived season keeps its figures and drops its personal data once the
retention period (TVAERS_SEASON_RETENTION_MONTHS, from the day it was archived) has passed.

What stays: the season (name, dates, phase), its counts and shares in season_figures, and its
audit rows with every value that could name someone replaced. Run at every start and by
`tvaers season retention`; running it twice, or on two replicas at once, changes nothing more.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from indexer.audit import Actor
from indexer.clock import Clock, utc_now
from indexer.erasure import ERASED, checkpoint_wal
from indexer.schema import (
    audit_table,
    mail_outbox_table,
    season_evaluations_table,
    season_figures_table,
    season_letters_table,
    season_links_table,
    season_locks_table,
    season_pairs_table,
    season_participants_table,
    season_registration_links_table,
    season_scenarios_table,
    seasons_table,
)
from service.season.book import AUDIT_KIND, audit_season
from service.season.evaluation import SeasonEvaluation
from service.season.review import SeasonReview

# Every table holding a season's personal data, by its season_id column.
PERSONAL_TABLES = (
    season_participants_table,
    season_locks_table,
    season_scenarios_table,
    season_letters_table,
    season_pairs_table,
    season_links_table,
    season_registration_links_table,
    season_evaluations_table,
    mail_outbox_table,
)
# Audit values that are counts, dates or phases, never a person: kept as they are.
SAFE_AUDIT_KEYS = frozenset(
    {
        "name",
        "phase",
        "is_current",
        "registration_deadline",
        "week_starts",
        "week_ends",
        "hosts",
        "interns",
        "pairs",
        "letters",
        "round",
        "new_pairs",
        "kept_pairs",
        "declined_pairs",
        "mode",
        "weights",
        "rows",
    }
)
SYSTEM = Actor("system:retention", "tvaers (opbevaringsperiode)")


@dataclass(frozen=True)
class Dropped:
    season_id: int
    rows: int


def months_after(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later (the month's last day when it is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (following - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


class SeasonRetention:
    def __init__(
        self,
        engine: sa.Engine,
        review: SeasonReview,
        evaluation: SeasonEvaluation,
        clock: Clock = utc_now,
    ) -> None:
        self._engine = engine
        self._review = review
        self._evaluation = evaluation
        self._clock = clock

    def due(self, months: int) -> list[int]:
        """Archived seasons whose retention period has passed and still hold personal data."""
        now = self._clock()
        with self._engine.connect() as conn:
            archived = conn.execute(
                sa.select(seasons_table.c.id, seasons_table.c.phase_since).where(
                    seasons_table.c.phase == "archived"
                )
            ).all()
            due = [r.id for r in archived if months_after(r.phase_since, months) <= now]
            return [int(i) for i in due if _holds_personal_data(conn, int(i))]

    def drop_personal_data(self, months: int) -> list[Dropped]:
        dropped = [self._drop(season_id) for season_id in self.due(months)]
        if dropped:
            checkpoint_wal(self._engine)
        return dropped

    def _drop(self, season_id: int) -> Dropped:
        summary = self._evaluation.summary(season_id)
        counts = self._review.participant_counts(season_id)
        pairs = self._evaluation.published_rounds(season_id)
        figures = {
            "hosts": counts["host"],
            "interns": counts["intern"],
            "rounds": pairs,
            "evaluation": summary.figures(),
        }
        now = self._clock()
        rows = 0
        with self._engine.begin() as conn:
            if not _holds_personal_data(conn, season_id):
                return Dropped(season_id, 0)  # another replica was first
            conn.execute(
                season_figures_table.delete().where(season_figures_table.c.season_id == season_id)
            )
            conn.execute(
                season_figures_table.insert().values(
                    season_id=season_id, kept_at=now, body=json.dumps(figures, sort_keys=True)
                )
            )
            for table in PERSONAL_TABLES:
                rows += int(
                    conn.execute(table.delete().where(table.c.season_id == season_id)).rowcount
                )
            rows += _scrub_audit(conn, season_id)
            changes: dict[str, list[str | None]] = {"rows": [None, str(rows)]}
            audit_season(conn, SYSTEM, season_id, "retention", changes, now)
        return Dropped(season_id, rows)


def _holds_personal_data(conn: sa.Connection, season_id: int) -> bool:
    return any(
        conn.execute(
            sa.select(sa.literal(1)).where(table.c.season_id == season_id).limit(1)
        ).first()
        for table in PERSONAL_TABLES
    )


def _scrub_audit(conn: sa.Connection, season_id: int) -> int:
    """The season's audit rows keep what happened and when; values that are not counts,
    dates or phases, and actors who answered by link, become ERASED."""
    column = audit_table.c
    rows = conn.execute(
        sa.select(column.seq, column.actor_subject, column.changes).where(
            column.kind == AUDIT_KIND, column.record_id == str(season_id)
        )
    ).all()
    changed = 0
    for row in rows:
        changes: dict[str, list[str | None]] = json.loads(row.changes)
        clean = {
            key: values
            if key in SAFE_AUDIT_KEYS
            else [None if v is None else ERASED for v in values]
            for key, values in changes.items()
        }
        by_link = row.actor_subject.startswith("link:")
        if clean != changes or by_link:
            values: dict[str, str] = {
                "changes": json.dumps(clean, ensure_ascii=False, sort_keys=True)
            }
            if by_link:
                values |= {"actor_subject": ERASED, "actor_name": ERASED}
            conn.execute(audit_table.update().where(column.seq == row.seq).values(values))
            changed += 1
    return changed
