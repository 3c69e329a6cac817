"""The tables of main 773a4d5, the last schema before Alembic.

Those databases have no version: this step creates only the tables they lack (each feature made
its own table when first used), adds the unit and hash columns to records from before the change
log, and starts the log. On an empty database it creates everything.

Revision ID: 0001
Revises:
Create Date: 2026-12-08
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _tables() -> list[tuple[str, list[sa.Column[object]], list[tuple[str, str]]]]:
    """(name, columns, [(index name, column)]) as 773a4d5 declared them."""
    return [
        (
            "records",
            [
                sa.Column("kind", sa.String(16), primary_key=True),
                sa.Column("id", sa.String(200), primary_key=True),
                sa.Column("fields", sa.Text, nullable=False),
                sa.Column("unit_id", sa.String(200)),
                sa.Column("content_hash", sa.String(64)),
            ],
            [("ix_records_unit_id", "unit_id"), ("ix_records_content_hash", "content_hash")],
        ),
        (
            "embeddings",
            [
                sa.Column("model_id", sa.String(300), primary_key=True),
                sa.Column("content_hash", sa.String(64), primary_key=True),
                sa.Column("vector", sa.LargeBinary, nullable=False),
            ],
            [],
        ),
        (
            "log_head",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                sa.Column("log_id", sa.String(36), nullable=False),
                sa.Column("revision", sa.BigInteger, nullable=False),
            ],
            [],
        ),
        (
            "changes",
            [
                sa.Column("revision", sa.BigInteger, primary_key=True, autoincrement=False),
                sa.Column("kind", sa.String(16), primary_key=True),
                sa.Column("id", sa.String(200), primary_key=True),
            ],
            [],
        ),
        (
            "audit_log",
            [
                sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("at", sa.DateTime, nullable=False),
                sa.Column("actor_subject", sa.String(320), nullable=False),
                sa.Column("actor_name", sa.String(320), nullable=False),
                sa.Column("kind", sa.String(16), nullable=False),
                sa.Column("record_id", sa.String(200), nullable=False),
                sa.Column("action", sa.String(10), nullable=False),
                sa.Column("changes", sa.Text, nullable=False),
            ],
            [("ix_audit_log_at", "at"), ("ix_audit_log_record_id", "record_id")],
        ),
        (
            "freshness",
            [
                sa.Column("kind", sa.String(16), primary_key=True),
                sa.Column("id", sa.String(200), primary_key=True),
                sa.Column("confirmed_at", sa.DateTime, nullable=False),
                sa.Column("confirmed_by", sa.String(320), nullable=False),
            ],
            [("ix_freshness_confirmed_at", "confirmed_at")],
        ),
        (
            "search_gaps",
            [
                sa.Column("query", sa.String(200), primary_key=True),
                sa.Column("day", sa.Date, primary_key=True),
                sa.Column("count", sa.Integer, nullable=False),
                sa.Column("hits", sa.Integer, nullable=False),
                sa.Column("best_cosine", sa.Float, nullable=False),
                sa.Column("best_coverage", sa.Float, nullable=False),
            ],
            [("ix_search_gaps_day", "day")],
        ),
        (
            "api_keys",
            [
                sa.Column("name", sa.String(100), primary_key=True),
                sa.Column("role", sa.String(20), nullable=False),
                sa.Column("units", sa.Text, nullable=False),
                sa.Column("secret_sha256", sa.String(64), nullable=False, unique=True),
                sa.Column("created_at", sa.DateTime, nullable=False),
                sa.Column("last_used_at", sa.DateTime),
                sa.Column("revoked_at", sa.DateTime),
            ],
            [],
        ),
        (
            "unit_editors",
            [
                sa.Column("principal", sa.String(320), primary_key=True),
                sa.Column("unit_id", sa.String(200), primary_key=True),
                sa.Column("source", sa.String(10), primary_key=True),
            ],
            [],
        ),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    for name, columns, indexes in _tables():
        if name not in existing:
            op.create_table(name, *columns)
            for index_name, column in indexes:
                op.create_index(index_name, name, [column])
    if "records" in existing:
        names = {c["name"] for c in sa.inspect(bind).get_columns("records")}
        if "content_hash" not in names:
            _add_log_columns()
    if bind.execute(sa.text("SELECT count(*) FROM log_head")).scalar_one() == 0:
        bind.execute(
            sa.text("INSERT INTO log_head (id, log_id, revision) VALUES (1, :log_id, 0)"),
            {"log_id": str(uuid.uuid4())},
        )


def _add_log_columns() -> None:
    """Records from before the change log: which unit shows each, and its text's hash."""
    import json

    from indexer.records import Record, documents_from_records

    bind = op.get_bind()
    op.add_column("records", sa.Column("unit_id", sa.String(200)))
    op.add_column("records", sa.Column("content_hash", sa.String(64)))
    rows = bind.execute(sa.text("SELECT kind, id, fields FROM records")).all()
    records = [Record(r.kind, r.id, json.loads(r.fields)) for r in rows]
    for document, record in zip(documents_from_records(records), records, strict=True):
        bind.execute(
            sa.text(
                "UPDATE records SET unit_id = :unit_id, content_hash = :content_hash"
                " WHERE kind = :kind AND id = :id"
            ),
            {
                "unit_id": document.unit_id,
                "content_hash": document.content_hash,
                "kind": record.kind,
                "id": record.id,
            },
        )
    op.create_index("ix_records_unit_id", "records", ["unit_id"])
    op.create_index("ix_records_content_hash", "records", ["content_hash"])


def downgrade() -> None:
    for name, _, _ in reversed(_tables()):
        op.drop_table(name)
