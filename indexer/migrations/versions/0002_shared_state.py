"""State every process shares: pairing proposals and the admins' synonym list.

Until now proposals lived in one process's memory and the synonyms in a file per home folder.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "pairing_proposals",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("made_at", sa.DateTime, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_pairing_proposals_made_at", "pairing_proposals", ["made_at"])
    op.create_table(
        "synonyms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("synonyms")
    op.drop_table("pairing_proposals")
