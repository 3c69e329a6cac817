"""The mail outbox (every message tvaers sends, with its delivery status), and a season's
published pairs with their answers, personal links (hashed), evaluations and kept figures.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("season_id", sa.Integer),
        sa.Column("to_address", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("made_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_mail_outbox_season_id", "mail_outbox", ["season_id"])
    op.create_index("ix_mail_outbox_to_address", "mail_outbox", ["to_address"])
    op.create_index("ix_mail_outbox_due", "mail_outbox", ["status", "next_attempt_at"])
    op.create_table(
        "season_pairs",
        sa.Column("season_id", sa.Integer, primary_key=True),
        sa.Column("intern_id", sa.String(200), primary_key=True),
        sa.Column("host_id", sa.String(200), primary_key=True),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("duration", sa.Integer, nullable=False),
        sa.Column("cross_sector", sa.Boolean, nullable=False),
        sa.Column("wished_rank", sa.Integer),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("intern_answer", sa.String(10)),
        sa.Column("intern_reason", sa.Text),
        sa.Column("intern_answered_at", sa.DateTime),
        sa.Column("host_answer", sa.String(10)),
        sa.Column("host_reason", sa.Text),
        sa.Column("host_answered_at", sa.DateTime),
    )
    op.create_table(
        "season_links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("season_id", sa.Integer, nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("participant_id", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(12), nullable=False),
        sa.Column("made_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_season_links_season_id", "season_links", ["season_id"])
    op.create_table(
        "season_evaluations",
        sa.Column("season_id", sa.Integer, primary_key=True),
        sa.Column("role", sa.String(10), primary_key=True),
        sa.Column("participant_id", sa.String(200), primary_key=True),
        sa.Column("answered_at", sa.DateTime, nullable=False),
        sa.Column("useful", sa.Boolean, nullable=False),
        sa.Column("recommend", sa.Boolean, nullable=False),
        sa.Column("again", sa.Boolean, nullable=False),
        sa.Column("take_home", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
    )
    op.create_table(
        "season_figures",
        sa.Column("season_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kept_at", sa.DateTime, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "season_figures",
        "season_evaluations",
        "season_links",
        "season_pairs",
        "mail_outbox",
    ):
        op.drop_table(table)
