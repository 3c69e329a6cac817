"""Pairing proposals kept for download: in the database, so every worker and replica finds them;
for a while, never past an erasure, deletable."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from engine.pairing import PairingProposal, PairingWeights
from engine.pairing.propose import Pair, PairingStats, UnmatchedIntern
from indexer.erasure import forget_proposals_naming
from indexer.schema import proposals_table

KEPT_PROPOSALS = 20
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ProposalShelf:
    """The newest proposals by id; each expires `ttl_seconds` after it was made."""

    def __init__(self, engine: sa.Engine, ttl_seconds: float, clock: Clock = utc_now) -> None:
        self._engine = engine
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def keep(self, proposal_id: str, proposal: PairingProposal, owner: str | None = None) -> None:
        with self._engine.begin() as conn:
            self._expire(conn)
            conn.execute(
                proposals_table.insert(),
                {
                    "id": proposal_id,
                    "made_at": self._clock(),
                    "body": proposal_json(proposal),
                    "owner": owner,
                },
            )
            newest = (
                sa.select(proposals_table.c.id)
                .order_by(proposals_table.c.made_at.desc(), proposals_table.c.id)
                .limit(KEPT_PROPOSALS)
            )
            conn.execute(proposals_table.delete().where(proposals_table.c.id.not_in(newest)))

    def get(self, proposal_id: str, owner: str | None = None) -> PairingProposal | None:
        """The proposal, if it is `owner`'s (None: anyone's, for admins)."""
        with self._engine.connect() as conn:
            body = conn.execute(
                sa.select(proposals_table.c.body).where(
                    proposals_table.c.id == proposal_id,
                    proposals_table.c.made_at >= self._oldest_kept(),
                    *_owned_by(owner),
                )
            ).scalar_one_or_none()
        return None if body is None else proposal_from_json(body)

    def delete(self, proposal_id: str, owner: str | None = None) -> bool:
        with self._engine.begin() as conn:
            done = conn.execute(
                proposals_table.delete().where(
                    proposals_table.c.id == proposal_id, *_owned_by(owner)
                )
            )
        return done.rowcount > 0

    def forget_naming(self, *texts: str) -> int:
        """Drop every proposal that holds any of these texts (an erased person's name, e-mail,
        phone), in the caller's transaction or its own."""
        with self._engine.begin() as conn:
            return forget_proposals_naming(conn, texts)

    def _oldest_kept(self) -> dt.datetime:
        return self._clock() - dt.timedelta(seconds=self.ttl_seconds)

    def _expire(self, conn: sa.Connection) -> None:
        conn.execute(
            proposals_table.delete().where(proposals_table.c.made_at < self._oldest_kept())
        )


def _owned_by(owner: str | None) -> list[sa.ColumnElement[bool]]:
    return [] if owner is None else [proposals_table.c.owner == owner]


def proposal_json(proposal: PairingProposal) -> str:
    return json.dumps(
        {
            "pairs": [asdict(p) for p in proposal.pairs],
            "unmatched": [asdict(u) for u in proposal.unmatched],
            "stats": proposal.stats.as_dict(),
            "blocking_pairs": [list(b) for b in proposal.blocking_pairs],
            "weights": asdict(proposal.weights),
            "model_id": proposal.model_id,
        },
        ensure_ascii=False,
    )


def proposal_from_json(body: str) -> PairingProposal:
    data: dict[str, Any] = json.loads(body)
    weights = dict(data["weights"])
    weights["wished_host_bonus"] = tuple(weights["wished_host_bonus"])
    return PairingProposal(
        pairs=[Pair(**p) for p in data["pairs"]],
        unmatched=[UnmatchedIntern(**u) for u in data["unmatched"]],
        stats=PairingStats(**data["stats"]),
        blocking_pairs=[(a, b) for a, b in data["blocking_pairs"]],
        weights=PairingWeights(**weights),
        model_id=data["model_id"],
    )
