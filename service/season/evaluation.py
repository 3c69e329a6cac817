"""After the week: a short questionnaire by personal link, and the season's figures beside the
seeds' (3 of 4 found concrete use, more than 9 of 10 recommend it, 28% crossed sectors)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from engine.season import CROSS_SECTOR_REFERENCE
from indexer.audit import Actor
from indexer.clock import Clock, utc_now
from indexer.schema import season_evaluations_table, season_figures_table, season_links_table
from service.mail import Outbox
from service.season.book import audit_season, season_in
from service.season.letter_fields import display_names, personal_link_letters
from service.season.links import LinkHolder, Role, end_of, holder_of
from service.season.publish import PublishedPair, SeasonPublishing
from service.season.review import SeasonReview, require_phase

USEFUL_REFERENCE = 0.75  # "3 of 4 report concrete use" (the seeds)
RECOMMEND_REFERENCE = 0.9  # "more than 9 of 10 recommend it"
LINK_DAYS_AFTER_WEEK = 90
MAX_TEXT_CHARS = 1000
TOPIC = "evaluation"


@dataclass(frozen=True)
class EvaluationAnswer:
    useful: bool
    recommend: bool
    again: bool
    take_home: str = ""
    comment: str = ""


@dataclass(frozen=True)
class EvaluationSummary:
    """Counts and shares only, except `texts` (what people wrote: for coordinators, and never
    kept past the retention period)."""

    pairs: int
    accepted: int
    declined: int
    waiting: int
    cross_sector_share: float | None  # of the pairs not declined
    cross_sector_reference: float
    invited: int
    answered: int
    answered_by_role: dict[str, int]
    useful_share: float | None
    recommend_share: float | None
    again_share: float | None
    useful_reference: float = USEFUL_REFERENCE
    recommend_reference: float = RECOMMEND_REFERENCE
    texts: list[dict[str, str]] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        """Everything but the texts: what an archived season keeps."""
        kept = asdict(self)
        kept.pop("texts")
        return kept


class SeasonEvaluation:
    def __init__(
        self,
        engine: sa.Engine,
        review: SeasonReview,
        publishing: SeasonPublishing,
        outbox: Outbox,
        clock: Clock = utc_now,
    ) -> None:
        self._engine = engine
        self._review = review
        self._publishing = publishing
        self._outbox = outbox
        self._clock = clock

    def invite(self, season_id: int, base_url: str, actor: Actor) -> int:
        """A link to everyone in a pair nobody declined, once each (pressing it again reaches
        only those added since)."""
        names = display_names(self._review.week(season_id))
        standing = [p for p in self._publishing.pairs(season_id) if p.status != "declined"]
        people: list[tuple[Role, str]] = sorted(
            {("intern", p.intern_id) for p in standing} | {("host", p.host_id) for p in standing}
        )
        now = self._clock()
        with self._engine.begin() as conn:
            season = season_in(conn, season_id)
            require_phase(season, ("evaluation",), "sende evalueringen ud")
            column = season_links_table.c
            invited = set(
                conn.execute(
                    sa.select(column.role, column.participant_id).where(
                        column.season_id == season_id, column.purpose == "evaluation"
                    )
                ).all()
            )
            messages = personal_link_letters(
                conn,
                season,
                [person for person in people if person not in invited],
                names,
                purpose="evaluation",
                template="evaluation",
                topic=TOPIC,
                base_url=base_url,
                now=now,
                expires_at=end_of(season.dates.week_ends + dt.timedelta(days=LINK_DAYS_AFTER_WEEK)),
            )
            self._outbox.add(messages, conn=conn)
            audit_season(
                conn,
                actor,
                season_id,
                "eval_send",
                {"letters": [None, str(len(messages))]},
                now,
            )
        return len(messages)

    def holder(self, token: str) -> LinkHolder:
        with self._engine.connect() as conn:
            return holder_of(conn, token, "evaluation", self._clock())

    def answer_of(self, holder: LinkHolder) -> EvaluationAnswer | None:
        column = season_evaluations_table.c
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(season_evaluations_table).where(
                    column.season_id == holder.season.id,
                    column.role == holder.role,
                    column.participant_id == holder.participant_id,
                )
            ).first()
        if row is None:
            return None
        return EvaluationAnswer(
            bool(row.useful), bool(row.recommend), bool(row.again), row.take_home, row.comment
        )

    def answer(self, token: str, answer: EvaluationAnswer) -> None:
        """One answer per person: answering again replaces it."""
        now = self._clock()
        with self._engine.begin() as conn:
            holder = holder_of(conn, token, "evaluation", now)
            require_phase(holder.season, ("evaluation",), "svare på evalueringen")
            key = {
                "season_id": holder.season.id,
                "role": holder.role,
                "participant_id": holder.participant_id,
            }
            column = season_evaluations_table.c
            conn.execute(
                season_evaluations_table.delete().where(
                    *(getattr(column, name) == value for name, value in key.items())
                )
            )
            conn.execute(
                season_evaluations_table.insert().values(
                    **key,
                    answered_at=now,
                    useful=answer.useful,
                    recommend=answer.recommend,
                    again=answer.again,
                    take_home=_clean(answer.take_home),
                    comment=_clean(answer.comment),
                )
            )
            by = Actor(f"link:{holder.role}:{holder.participant_id}", holder.participant_id)
            audit_season(
                conn, by, holder.season.id, "evaluated", {"role": [None, holder.role]}, now
            )

    def published_rounds(self, season_id: int) -> int:
        return max((p.round for p in self._publishing.pairs(season_id)), default=0)

    def summary(self, season_id: int) -> EvaluationSummary:
        """From the season's rows; once retention has dropped them, the figures it kept."""
        kept = kept_figures(self._engine, season_id)
        if kept is not None:
            return EvaluationSummary(**kept["evaluation"])
        pairs = self._publishing.pairs(season_id)
        column = season_evaluations_table.c
        links = season_links_table.c
        with self._engine.connect() as conn:
            season_in(conn, season_id)
            rows = conn.execute(
                sa.select(season_evaluations_table)
                .where(column.season_id == season_id)
                .order_by(column.answered_at)
            ).all()
            invited = conn.execute(
                sa.select(sa.func.count()).select_from(
                    sa.select(links.role, links.participant_id)
                    .where(links.season_id == season_id, links.purpose == "evaluation")
                    .distinct()
                    .subquery()
                )
            ).scalar_one()
        return summarise(pairs, list(rows), int(invited))


def summarise(
    pairs: list[PublishedPair], answers: list[sa.Row[Any]], invited: int
) -> EvaluationSummary:
    standing = [p for p in pairs if p.status != "declined"]
    by_role = {"intern": 0, "host": 0}
    for row in answers:
        by_role[row.role] = by_role.get(row.role, 0) + 1
    texts = [
        {"role": row.role, "take_home": row.take_home, "comment": row.comment}
        for row in answers
        if row.take_home or row.comment
    ]
    return EvaluationSummary(
        pairs=len(pairs),
        accepted=sum(p.status == "accepted" for p in pairs),
        declined=sum(p.status == "declined" for p in pairs),
        waiting=sum(p.status == "waiting" for p in pairs),
        cross_sector_share=_share([p.cross_sector for p in standing]),
        cross_sector_reference=CROSS_SECTOR_REFERENCE,
        invited=invited,
        answered=len(answers),
        answered_by_role=by_role,
        useful_share=_share([bool(r.useful) for r in answers]),
        recommend_share=_share([bool(r.recommend) for r in answers]),
        again_share=_share([bool(r.again) for r in answers]),
        texts=texts,
    )


def kept_figures(engine: sa.Engine, season_id: int) -> dict[str, Any] | None:
    """What retention kept of an archived season (None while its rows are there)."""
    with engine.connect() as conn:
        body = conn.execute(
            sa.select(season_figures_table.c.body).where(
                season_figures_table.c.season_id == season_id
            )
        ).scalar_one_or_none()
    return None if body is None else dict(json.loads(body))


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _clean(text: str) -> str:
    return " ".join(text.split())[:MAX_TEXT_CHARS]
