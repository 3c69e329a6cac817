"""Provider tokens encrypted per session; throttling counted in the database.

The sessions kept the provider's access and refresh tokens in plain text; they now live in one
column, encrypted with a key only the session's cookie yields (service/auth/sessions.py). Tokens
already stored cannot be encrypted without that cookie, so they are dropped: such a session ends
at its next role refresh and its user signs in again. Failed key checks and sign-in attempts are
counted in `throttle_counts`, so every worker and replica shares one limit.

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_sessions") as batch:
        batch.drop_column("access_token")
        batch.drop_column("refresh_token")
        batch.add_column(sa.Column("provider_tokens", sa.Text))
    op.create_table(
        "throttle_counts",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_throttle_counts_expires_at", "throttle_counts", ["expires_at"])


def downgrade() -> None:
    op.drop_table("throttle_counts")
    with op.batch_alter_table("sign_in_sessions") as batch:
        batch.drop_column("provider_tokens")
        batch.add_column(sa.Column("access_token", sa.Text))
        batch.add_column(sa.Column("refresh_token", sa.Text))
