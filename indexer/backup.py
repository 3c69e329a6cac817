"""A home's backup as one zip file, and its restore into a new home.

The zip holds every row of the tables it is given (JSON lines, one file per table), the admins'
synonym list, and the current index snapshot, so a restored home starts without rebuilding. The
copy is consistent while services write: the snapshot is copied first, under the snapshot lock,
and the database after it in one read (SQLite's online backup of the file; PostgreSQL's
REPEATABLE READ transaction), so the snapshot never shows a revision the rows lack, and the first
start applies the log after it.

The rows are the database's own, so a restore brings back everything the home held then, erased
people included: keep backups only as long as erasures may be undone.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from indexer.build import Home
from indexer.errors import TvaersError
from indexer.schema import (
    changes_table,
    embeddings_table,
    log_head_table,
    records_table,
    synonyms_table,
)
from indexer.snapshots import CURRENT, install_snapshot, shared_current

FORMAT = "tvaers-backup"
VERSION = 1
MANIFEST = "manifest.json"
STORE_TABLES = (records_table, embeddings_table, log_head_table, changes_table)
BATCH = 1000


class BackupError(TvaersError):
    """A backup cannot be written or restored; the message says why, in Danish."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    revision: int
    counts: dict[str, int]  # records by kind
    rows: dict[str, int]  # rows by table
    snapshot: str | None
    seconds: float
    size_bytes: int


def write_backup(home: Home, tables: Sequence[sa.Table], target: Path) -> BackupReport:
    """Write `home`'s backup to `target` (replaced whole, never half-written)."""
    started = time.perf_counter()
    if home.database_url is None and not (home.path / "tvaers.db").exists():
        raise BackupError(
            f"Der er ingen database i {home.path}. Angiv hjemmemappen med --home (eller "
            "TVAERS_HOME), og databasen med TVAERS_DATABASE_URL, hvis den er PostgreSQL."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    store = home.open_store()
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            snapshot = _write_snapshot(home.index_dir, archive)
            with _consistent_read(store.engine) as conn:
                rows = {t.name: _write_table(conn, t, archive) for t in tables}
                head = conn.execute(sa.select(log_head_table)).one()
                counts = _record_counts(conn)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database": store.dialect,
                "log_id": head.log_id,
                "revision": int(head.revision),
                "records": counts,
                "tables": {
                    t.name: {"rows": rows[t.name], "columns": [c.name for c in t.columns]}
                    for t in tables
                },
                "snapshot": snapshot,
                "synonyms": False,  # the admins' list is a table now (before: synonyms.txt)
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        store.close()
    return BackupReport(
        target,
        int(head.revision),
        counts,
        rows,
        snapshot,
        time.perf_counter() - started,
        target.stat().st_size,
    )


def restore_backup(source: Path, home: Home, tables: Sequence[sa.Table]) -> BackupReport:
    """Restore `source` into `home`, whose database and index must be new (nothing indexed)."""
    started = time.perf_counter()
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(
            f"{source} kan ikke læses som en sikkerhedskopi fra tvaers: {exc}"
        ) from exc
    with archive:
        manifest = _manifest(archive, source)
        known = {t.name: t for t in tables}
        _check_tables(manifest, known, source)
        if (home.index_dir / CURRENT).exists():
            raise BackupError(_NOT_EMPTY.format(where=f"hjemmemappen {home.path} har et indeks"))
        store = home.open_store()
        try:
            with store.engine.begin() as conn:
                _check_empty(conn, tables, home)
                conn.execute(log_head_table.delete())
                rows = {
                    name: _restore_table(conn, known[name], archive) for name in manifest["tables"]
                }
                if manifest.get("synonyms"):  # a backup from before the table: the file goes in
                    with archive.open("synonyms.txt") as synonyms:
                        text = synonyms.read().decode("utf-8")
                    conn.execute(synonyms_table.delete())
                    conn.execute(synonyms_table.insert(), {"id": 1, "text": text, "revision": 1})
                if store.dialect == "postgresql":
                    _advance_sequences(conn, tables)
                counts = _record_counts(conn)
        finally:
            store.close()
        snapshot = manifest.get("snapshot")
        if snapshot:
            _restore_snapshot(archive, snapshot, home.index_dir)
    return BackupReport(
        source,
        int(manifest["revision"]),
        counts,
        rows,
        snapshot,
        time.perf_counter() - started,
        source.stat().st_size,
    )


_NOT_EMPTY = (
    "Der kan kun gendannes i en ny hjemmemappe med en tom database, og {where}. Vælg en ny "
    "mappe med --home (og en ny, tom database med TVAERS_DATABASE_URL), eller flyt den gamle væk."
)


# Writing ------------------------------------------------------------------------------------


def _write_snapshot(index_dir: Path, archive: zipfile.ZipFile) -> str | None:
    """The current snapshot's files, under the shared lock: no swap or clean-up removes them."""
    with shared_current(index_dir) as current:
        if current is None:
            return None
        for path in sorted(current.rglob("*")):
            if path.is_file():
                archive.write(path, f"index/{current.name}/{path.relative_to(current)}")
        return current.name


@contextmanager
def _consistent_read(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One read of the whole database as of one moment, while writers go on."""
    if engine.dialect.name != "sqlite":
        repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with repeatable as conn, conn.begin():
            yield conn
        return
    # pysqlite opens no transaction for reads: copy the file with SQLite's online backup (one
    # consistent set of pages, the write-ahead log included), then read the copy.
    folder = tempfile.mkdtemp(prefix="tvaers-backup-")
    copy_path = Path(folder) / "copy.db"
    try:
        live = sqlite3.connect(engine.url.database or "")
        try:
            with sqlite3.connect(copy_path) as copy:
                live.backup(copy)
            copy.close()
        finally:
            live.close()
        copy_engine = sa.create_engine(f"sqlite:///{copy_path}")
        try:
            with copy_engine.connect() as conn:
                yield conn
        finally:
            copy_engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_table(conn: sa.Connection, table: sa.Table, archive: zipfile.ZipFile) -> int:
    count = 0
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
        sa.select(table).order_by(*order)
    )
    with archive.open(f"tables/{table.name}.jsonl", "w") as out:
        for row in result.mappings():
            line = {c.name: _encode(row[c.name], c) for c in table.columns}
            out.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
            count += 1
    return count


def _encode(value: Any, column: sa.Column[Any]) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    return value


def _record_counts(conn: sa.Connection) -> dict[str, int]:
    rows = conn.execute(
        sa.select(records_table.c.kind, sa.func.count()).group_by(records_table.c.kind)
    ).all()
    return {str(kind): int(n) for kind, n in rows}


# Restoring ----------------------------------------------------------------------------------


def _manifest(archive: zipfile.ZipFile, source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError(
            f"{source} er ikke en sikkerhedskopi fra tvaers (ingen {MANIFEST})."
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} er ikke en sikkerhedskopi fra tvaers.")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{source} har format {manifest.get('version')}, men denne udgave af tvaers læser "
            f"format {VERSION}. Gendan den med den udgave, der skrev den."
        )
    return manifest


def _check_tables(manifest: dict[str, Any], known: dict[str, sa.Table], source: Path) -> None:
    for name, described in manifest["tables"].items():
        table = known.get(name)
        if table is None:
            raise BackupError(f"{source} har tabellen '{name}', som denne udgave ikke kender.")
        unknown = set(described["columns"]) - {c.name for c in table.columns}
        if unknown:
            raise BackupError(
                f"{source} har kolonnerne {', '.join(sorted(unknown))} i '{name}', som denne "
                "udgave ikke kender. Gendan med en udgave af tvaers, der er mindst så ny som den, "
                "der skrev sikkerhedskopien."
            )


def _check_empty(conn: sa.Connection, tables: Sequence[sa.Table], home: Home) -> None:
    for table in tables:
        if table is log_head_table:
            revision = conn.execute(sa.select(sa.func.max(log_head_table.c.revision))).scalar()
            if revision:
                raise BackupError(_NOT_EMPTY.format(where="databasen har allerede data"))
            continue
        if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            where = f"databasen har allerede data (tabellen '{table.name}')"
            raise BackupError(_NOT_EMPTY.format(where=where))


def _restore_table(conn: sa.Connection, table: sa.Table, archive: zipfile.ZipFile) -> int:
    count = 0
    batch: list[dict[str, Any]] = []
    with archive.open(f"tables/{table.name}.jsonl") as lines:
        for line in _lines(lines):
            row = json.loads(line)
            batch.append({c.name: _decode(row.get(c.name), c) for c in table.columns})
            if len(batch) >= BATCH:
                conn.execute(table.insert(), batch)
                count += len(batch)
                batch = []
    if batch:
        conn.execute(table.insert(), batch)
        count += len(batch)
    return count


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    for line in stream:
        if line.strip():
            yield line


def _decode(value: Any, column: sa.Column[Any]) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64decode(value)
    if isinstance(column.type, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, sa.Date):
        return dt.date.fromisoformat(value)
    return value


def _advance_sequences(conn: sa.Connection, tables: Sequence[sa.Table]) -> None:
    """PostgreSQL hands out serial ids from a sequence, which explicit ids do not move."""
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        conn.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 1), "
                f"(SELECT COUNT(*) FROM {table.name}) > 0)"
            ),
            {"table": table.name, "column": column.name},
        )


def _restore_snapshot(archive: zipfile.ZipFile, name: str, index_dir: Path) -> None:
    prefix = f"index/{name}/"
    staging = Path(tempfile.mkdtemp(prefix="tvaers-restore-", dir=index_dir.parent))
    try:
        for member in archive.namelist():
            if not member.startswith(prefix) or member.endswith("/"):
                continue
            relative = Path(member.removeprefix(prefix))
            if relative.is_absolute() or ".." in relative.parts:
                raise BackupError(f"Sikkerhedskopien har en fil uden for indekset: {member}")
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
        install_snapshot(staging, index_dir, name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
