"""The Innovationspraktik season: seasons, their participants, scenarios, locks and letters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "seasons",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("phase", sa.String(24), nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("registration_opens", sa.Date, nullable=False),
        sa.Column("registration_deadline", sa.Date, nullable=False),
        sa.Column("week_starts", sa.Date, nullable=False),
        sa.Column("week_ends", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("phase_since", sa.DateTime, nullable=False),
        sa.Column("intern_letter", sa.Text),
        sa.Column("host_letter", sa.Text),
    )
    op.create_table(
        "season_participants",
        sa.Column("season_id", sa.Integer, primary_key=True),
        sa.Column("role", sa.String(10), primary_key=True),
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_season_participants_email", "season_participants", ["email"])
    op.create_table(
        "season_scenarios",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("season_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("made_at", sa.DateTime, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("chosen", sa.Boolean, nullable=False),
    )
    op.create_index("ix_season_scenarios_season_id", "season_scenarios", ["season_id"])
    op.create_table(
        "season_locks",
        sa.Column("season_id", sa.Integer, primary_key=True),
        sa.Column("intern_id", sa.String(200), primary_key=True),
        sa.Column("host_id", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("locked_by", sa.String(320), nullable=False),
        sa.Column("locked_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "season_letters",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("season_id", sa.Integer, nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("participant_id", sa.String(200), nullable=False),
        sa.Column("to_address", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("made_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("answer", sa.String(10)),
        sa.Column("answered_at", sa.DateTime),
    )
    op.create_index("ix_season_letters_season_id", "season_letters", ["season_id"])


def downgrade() -> None:
    for table in (
        "season_letters",
        "season_locks",
        "season_scenarios",
        "season_participants",
        "seasons",
    ):
        op.drop_table(table)
