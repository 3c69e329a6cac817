"""Sign-in sessions on the server, editors' group rows keyed by subject, proposals' owners.

Sessions lived in the signed cookie: sign-out could not end them. Group rows were keyed by the
(unverified) e-mail claim; they are rewritten at every sign-in, now keyed by `sub:<subject>`, so
the old ones are dropped here (admin rows stay). A pairing proposal notes who made it: only they
and admins download or delete it (proposals from before have no owner: admins only).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("issuer", sa.String(300), nullable=False),
        sa.Column("subject", sa.String(320), nullable=False),
        sa.Column("name", sa.String(320), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("email_verified", sa.Boolean, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("checked_at", sa.DateTime, nullable=False),
        sa.Column("access_token", sa.Text),
        sa.Column("refresh_token", sa.Text),
    )
    op.create_index("ix_sign_in_sessions_subject", "sign_in_sessions", ["subject"])
    op.create_index("ix_sign_in_sessions_expires_at", "sign_in_sessions", ["expires_at"])
    op.execute(sa.text("DELETE FROM unit_editors WHERE source = 'group'"))
    with op.batch_alter_table("pairing_proposals") as batch:
        batch.add_column(sa.Column("owner", sa.String(320)))


def downgrade() -> None:
    with op.batch_alter_table("pairing_proposals") as batch:
        batch.drop_column("owner")
    op.drop_table("sign_in_sessions")
