"""Publishing a season's pairs, the participants' answers, and second rounds.

Publishing stores the chosen scenario's pairs (round 1) and puts one Danish letter per intern
and per host in the outbox, each with a personal answer link, in the same transaction that
moves the season to "published". A pair declined by either side never comes back: a second
round re-runs the pairing over what is left with every pair still standing and every
coordinator lock kept, and sends letters about the new pairs only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from engine.pairing import Pair, Week
from engine.pairing.loading import Lock
from engine.pairing.propose import propose_pairings
from engine.season import SeasonError
from indexer.audit import Actor
from indexer.clock import Clock, utc_now
from indexer.embedders import Embedder
from indexer.schema import (
    season_pairs_table,
    season_scenarios_table,
    seasons_table,
)
from service.mail import Outbox
from service.mail.letters import builtin_template, render_text
from service.season.book import Season, audit_season, season_in
from service.season.letter_fields import (
    TOPIC,
    display_names,
    pair_letters,
    personal_link_letters,
    sample_context,
)
from service.season.links import LinkHolder, Role, end_of, holder_of
from service.season.review import SeasonReview, require_phase

Answer = Literal["accept", "decline", "withdraw"]
ANSWER_PHASES = ("published", "week")
DECLINES = ("decline", "withdraw")
ROLES: tuple[Role, ...] = ("intern", "host")
LETTER_PHASES = ("registration_open", "registration_closed", "review", "published")
MAX_REASON_CHARS = 500


@dataclass(frozen=True)
class PublishedPair:
    intern_id: str
    host_id: str
    round: int
    duration: int
    cross_sector: bool
    wished_rank: int | None
    reason: str
    intern_answer: Answer | None
    intern_reason: str | None
    host_answer: Answer | None
    host_reason: str | None

    @property
    def status(self) -> Literal["accepted", "declined", "waiting"]:
        """Declined when either side said no; accepted when both said yes."""
        if self.intern_answer in DECLINES or self.host_answer in DECLINES:
            return "declined"
        if self.intern_answer == "accept" and self.host_answer == "accept":
            return "accepted"
        return "waiting"


@dataclass(frozen=True)
class RoundResult:
    round: int
    new_pairs: list[Pair]
    kept: int  # pairs standing from earlier rounds (and locks), kept as they were
    unmatched: int
    letters: int
    without_address: list[str]  # participants without an e-mail: tell them another way


class SeasonPublishing:
    def __init__(
        self,
        engine: sa.Engine,
        review: SeasonReview,
        outbox: Outbox,
        clock: Clock = utc_now,
    ) -> None:
        self._engine = engine
        self._review = review
        self._outbox = outbox
        self._clock = clock

    # Publishing -----------------------------------------------------------------------------

    def publish(self, season_id: int, scenario_id: str, base_url: str, actor: Actor) -> RoundResult:
        """The chosen scenario's pairs go out; the season moves on to "published"."""
        scenario = self._review.scenario(season_id, scenario_id)
        week = self._review.week(season_id)
        now = self._clock()
        pairs = scenario.proposal.pairs
        with self._engine.begin() as conn:
            season = season_in(conn, season_id)
            require_phase(season, ("review",), "offentliggøre parrene")
            if _pairs_in(conn, season_id):
                raise SeasonError("Sæsonens par er allerede offentliggjort.")
            _insert_pairs(conn, season_id, 1, pairs, now)
            conn.execute(
                season_scenarios_table.update()
                .where(season_scenarios_table.c.season_id == season_id)
                .values(chosen=season_scenarios_table.c.id == scenario_id)
            )
            letters, missing = self._letters(conn, season, week, pairs, base_url, now)
            done = conn.execute(
                seasons_table.update()
                .where(seasons_table.c.id == season_id, seasons_table.c.phase == "review")
                .values(phase="published", phase_since=now)
            )
            if done.rowcount != 1:
                raise SeasonError("Sæsonen blev flyttet af en anden imens. Prøv igen.")
            changes: dict[str, list[str | None]] = {
                "phase": ["review", "published"],
                "scenario": [None, scenario.name],
                "pairs": [None, str(len(pairs))],
                "letters": [None, str(letters)],
            }
            audit_season(conn, actor, season_id, "publish", changes, now)
        unmatched = len(week.interns) - len(pairs)
        return RoundResult(1, pairs, 0, unmatched, letters, missing)

    def pairs(self, season_id: int) -> list[PublishedPair]:
        with self._engine.connect() as conn:
            return _pairs_in(conn, season_id)

    # Answers ----------------------------------------------------------------------------------

    def holder(self, token: str) -> LinkHolder:
        with self._engine.connect() as conn:
            return holder_of(conn, token, "answer", self._clock())

    def pairs_of(self, holder: LinkHolder) -> list[PublishedPair]:
        own = "intern_id" if holder.role == "intern" else "host_id"
        return [p for p in self.pairs(holder.season.id) if getattr(p, own) == holder.participant_id]

    def answer(
        self, token: str, intern_id: str, host_id: str, answer: Answer, reason: str = ""
    ) -> PublishedPair:
        """The link's holder answers for one of their pairs. A no is final; "withdraw" is a no
        to every pair of theirs in the season, and keeps them out of later rounds."""
        reason = " ".join(reason.split())[:MAX_REASON_CHARS]
        now = self._clock()
        with self._engine.begin() as conn:
            holder = holder_of(conn, token, "answer", now)
            require_phase(holder.season, ANSWER_PHASES, "svare")
            mine = {(p.intern_id, p.host_id): p for p in _pairs_in(conn, holder.season.id, holder)}
            pair = mine.get((intern_id, host_id))
            if pair is None:
                raise SeasonError("Parret findes ikke blandt dine par i denne sæson.")
            if pair.status == "declined":
                raise SeasonError("Der er allerede sagt nej til parret, og pladsen er givet fri.")
            targets = list(mine.values()) if answer == "withdraw" else [pair]
            role = holder.role
            for target in targets:
                if target.status == "declined":
                    continue
                conn.execute(
                    season_pairs_table.update()
                    .where(
                        season_pairs_table.c.season_id == holder.season.id,
                        season_pairs_table.c.intern_id == target.intern_id,
                        season_pairs_table.c.host_id == target.host_id,
                    )
                    .values(
                        {
                            f"{role}_answer": answer,
                            f"{role}_reason": reason or None,
                            f"{role}_answered_at": now,
                        }
                    )
                )
                old = target.intern_answer if role == "intern" else target.host_answer
                changes: dict[str, list[str | None]] = {
                    "pair": [None, f"{target.intern_id} → {target.host_id}"],
                    f"{role}_answer": [old, answer],
                }
                by = Actor(f"link:{role}:{holder.participant_id}", holder.participant_id)
                audit_season(conn, by, holder.season.id, "answer", changes, now)
            updated = {
                (p.intern_id, p.host_id): p for p in _pairs_in(conn, holder.season.id, holder)
            }
        return updated[(intern_id, host_id)]

    # Second rounds ------------------------------------------------------------------------------

    def second_round(
        self, season_id: int, embedder: Embedder, base_url: str, actor: Actor
    ) -> RoundResult:
        """Re-match the free places: pairs still standing and coordinator locks are kept, a
        declined pair is excluded for good, a withdrawn participant left out."""
        require_phase(self._review_season(season_id), ("published",), "køre en ny runde")
        week = self._review.week(season_id)
        published = self.pairs(season_id)
        standing = [p for p in published if p.status != "declined"]
        withdrawn_interns = {p.intern_id for p in published if p.intern_answer == "withdraw"}
        withdrawn_hosts = {p.host_id for p in published if p.host_answer == "withdraw"}
        declined = {(p.intern_id, p.host_id) for p in published if p.status == "declined"}
        placed = {p.intern_id for p in standing}
        locks = [Lock(p.intern_id, p.host_id) for p in standing] + [
            lock
            for lock in week.locks
            if lock.intern_id not in placed
            and (lock.intern_id, lock.host_id) not in declined
            and lock.intern_id not in withdrawn_interns
            and lock.host_id not in withdrawn_hosts
        ]
        excluded: dict[str, set[str]] = defaultdict(set)
        for intern_id, host_id in declined:
            excluded[intern_id].add(host_id)
        interns = [
            dataclasses.replace(i, excluded_hosts=i.excluded_hosts | excluded[i.id])
            for i in week.interns
            if i.id not in withdrawn_interns
        ]
        hosts = [h for h in week.hosts if h.id not in withdrawn_hosts]
        weights = next(
            (s.proposal.weights for s in self._review.scenarios(season_id) if s.chosen), None
        )
        proposal = propose_pairings(hosts, interns, embedder, locks=locks, weights=weights)
        new_pairs = [p for p in proposal.pairs if p.intern_id not in placed]
        now = self._clock()
        with self._engine.begin() as conn:
            season = season_in(conn, season_id)
            require_phase(season, ("published",), "køre en ny runde")
            # Answers that came meanwhile are for the next round (a place declined meanwhile was
            # kept here, so no new pair takes it); another coordinator's round is not.
            now_pairs = {(p.intern_id, p.host_id) for p in _pairs_in(conn, season_id)}
            if now_pairs != {(p.intern_id, p.host_id) for p in published}:
                raise SeasonError("En anden har kørt en ny runde imens. Se svarene og prøv igen.")
            number = max((p.round for p in published), default=0) + 1
            _insert_pairs(conn, season_id, number, new_pairs, now)
            letters, missing = self._letters(conn, season, week, new_pairs, base_url, now)
            changes: dict[str, list[str | None]] = {
                "round": [None, str(number)],
                "new_pairs": [None, str(len(new_pairs))],
                "kept_pairs": [None, str(len(standing))],
                "declined_pairs": [None, str(len(declined))],
                "letters": [None, str(letters)],
            }
            audit_season(conn, actor, season_id, "round", changes, now)
        unmatched = len(proposal.unmatched)
        return RoundResult(number, new_pairs, len(standing), unmatched, letters, missing)

    def remind(self, season_id: int, base_url: str, actor: Actor) -> int:
        """A reminder with a fresh answer link to each participant who has not answered a pair
        that is still standing."""
        names = display_names(self._review.week(season_id))
        now = self._clock()
        with self._engine.begin() as conn:
            season = season_in(conn, season_id)
            require_phase(season, ANSWER_PHASES, "minde om svar")
            standing = [p for p in _pairs_in(conn, season_id) if p.status != "declined"]
            waiting: list[tuple[Role, str]] = sorted(
                {("intern", p.intern_id) for p in standing if p.intern_answer is None}
                | {("host", p.host_id) for p in standing if p.host_answer is None}
            )
            messages = personal_link_letters(
                conn,
                season,
                waiting,
                names,
                purpose="answer",
                template="season_reminder",
                topic=TOPIC,
                base_url=base_url,
                now=now,
                expires_at=end_of(season.dates.week_ends),
            )
            self._outbox.add(messages, conn=conn)
            changes: dict[str, list[str | None]] = {"letters": [None, str(len(messages))]}
            audit_season(conn, actor, season_id, "remind", changes, now)
        return len(messages)

    # Letters --------------------------------------------------------------------------------

    def letters(self, season_id: int) -> dict[Role, str]:
        """The letter texts in force: the coordinators' own, or the built-in ones."""
        season = self._review_season(season_id)
        own = {"intern": season.intern_letter, "host": season.host_letter}
        return {role: own[role] or builtin_template(f"season_{role}") for role in ROLES}

    def set_letters(
        self, season_id: int, texts: dict[Role, str | None], actor: Actor
    ) -> dict[Role, str]:
        """Coordinators' own letter texts (None: the built-in one again), checked by filling
        them in for a sample pair; they apply to every later letter, second rounds too."""
        for role, text in texts.items():
            if text is not None:
                render_text(text, sample_context(role))
        now = self._clock()
        with self._engine.begin() as conn:
            season = season_in(conn, season_id)
            require_phase(season, LETTER_PHASES, "rette brevene")
            values = {f"{role}_letter": text for role, text in texts.items()}
            conn.execute(
                seasons_table.update().where(seasons_table.c.id == season_id).values(values)
            )
            changes: dict[str, list[str | None]] = {
                f"{role}_letter": [None, "egen tekst" if text else "standardtekst"]
                for role, text in texts.items()
            }
            audit_season(conn, actor, season_id, "letters", changes, now)
        return self.letters(season_id)

    def _letters(
        self,
        conn: sa.Connection,
        season: Season,
        week: Week,
        pairs: Iterable[Pair],
        base_url: str,
        now: dt.datetime,
    ) -> tuple[int, list[str]]:
        messages, missing = pair_letters(conn, season, week, pairs, base_url, now)
        self._outbox.add(messages, conn=conn)
        return len(messages), missing

    def _review_season(self, season_id: int) -> Season:
        with self._engine.connect() as conn:
            return season_in(conn, season_id)


def _insert_pairs(
    conn: sa.Connection, season_id: int, number: int, pairs: Iterable[Pair], now: dt.datetime
) -> None:
    rows = [
        {
            "season_id": season_id,
            "intern_id": p.intern_id,
            "host_id": p.host_id,
            "round": number,
            "published_at": now,
            "duration": p.duration,
            "cross_sector": p.cross_sector,
            "wished_rank": p.wished_rank,
            "reason": p.reason,
        }
        for p in pairs
    ]
    if rows:
        conn.execute(season_pairs_table.insert(), rows)


def _pairs_in(
    conn: sa.Connection, season_id: int, holder: LinkHolder | None = None
) -> list[PublishedPair]:
    """The season's pairs; only the holder's (as intern or host) when given."""
    column = season_pairs_table.c
    query = sa.select(season_pairs_table).where(column.season_id == season_id)
    if holder is not None:
        own = column.intern_id if holder.role == "intern" else column.host_id
        query = query.where(own == holder.participant_id)
    rows = conn.execute(query.order_by(column.round, column.host_id, column.intern_id)).all()
    return [
        PublishedPair(
            r.intern_id,
            r.host_id,
            int(r.round),
            int(r.duration),
            bool(r.cross_sector),
            r.wished_rank,
            r.reason,
            r.intern_answer,
            r.intern_reason,
            r.host_answer,
            r.host_reason,
        )
        for r in rows
    ]
