"""Innovationspraktik registration: who registered a participant, and personal links.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("season_participants") as batch:
        batch.add_column(sa.Column("owner", sa.String(330)))
    op.create_table(
        "season_registration_links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("season_id", sa.Integer, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("made_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_season_registration_links_email", "season_registration_links", ["email"])


def downgrade() -> None:
    op.drop_table("season_registration_links")
    with op.batch_alter_table("season_participants") as batch:
        batch.drop_column("owner")
