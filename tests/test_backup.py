"""`tvaers backup FILE` and `tvaers restore FILE`: taken while the service runs and writes,
restored into a fresh home, which starts without embedding and holds the same rows: records,
vectors, log, keys, editors, audit log, freshness and the synonym list. On SQLite, on
PostgreSQL, and from one to the other."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from sqlalchemy.pool import NullPool

from indexer.build import Home
from indexer.live import LiveIndex, index_data_folder
from indexer.records import Record
from indexer.updates import upsert_record
from service import cli
from service.app import create_app
from service.auth.keys import ApiKeys
from service.auth.roles import Role
from service.backup_cli import TABLES
from service.config import Settings
from tests.fakes import FakeEmbedder
from tests.postgres import PostgresServer

pytest_plugins = ("tests.conftest_service",)

Rows = dict[str, list[tuple[Any, ...]]]


def run(home: Home, *args: str) -> Result:
    """The real command line: `tvaers --home H …`, the database from the environment."""
    return CliRunner().invoke(cli.main, ["--home", str(home.path), *args])


def rows_of(home: Home) -> Rows:
    """Every table's rows in key order: what a restore must give back exactly."""
    store = home.open_store()
    try:
        with store.engine.connect() as conn:
            return {
                t.name: [
                    tuple(r)
                    for r in conn.execute(
                        sa.select(t).order_by(*(t.primary_key.columns or t.columns))
                    )
                ]
                for t in TABLES
            }
    finally:
        store.close()


def person(person_id: str, expertise: str, unit_id: str) -> Record:
    fields = {"name": f"Person {person_id}", "title": "Konsulent", "unit_id": unit_id}
    return Record("person", person_id, fields | {"expertise": expertise, "email": ""})


def fill_features(client: TestClient, admin: dict[str, str]) -> None:
    """One row in every feature's table: a write (audit, freshness), an editor, synonyms."""
    body = {"id": "p9", "name": "Ida Ølgaard", "title": "Konsulent", "unit_id": "u001"}
    body |= {"expertise": ["zebraavl på landet"], "email": "ida@example.dk"}
    assert client.post("/api/people", json=body, headers=admin).status_code == 201
    editor = {"principal": "anne@example.dk", "unit_id": "u001"}
    assert client.post("/api/editors", json=editor, headers=admin).status_code == 201
    groups = {"groups": [["zebraavl", "stribeopdræt"]]}
    assert client.put("/api/synonyms", json=groups, headers=admin).status_code == 200


def assert_restored_home_works(home: Home, secret_header: dict[str, str]) -> None:
    """It starts without embedding a document, finds the written person, knows the key."""
    embedder = FakeEmbedder()
    app = create_app(
        Settings(home=home.path, database_url=home.database_url, api_key=None), embedder=embedder
    )
    with TestClient(app) as client:
        hits = client.get("/api/search", params={"q": "zebraavl"}).json()["hits"]
        assert hits and hits[0]["id"] == "p9"
        # "stribeopdræt" is in no text: only the restored synonym list makes p9 match by words.
        hits = client.get("/api/search", params={"q": "stribeopdræt"}).json()["hits"]
        by_words = [h["id"] for h in hits if h["explanation"]["matched_by"] != "meaning"]
        assert by_words == ["p9"]
        assert (
            client.get("/api/people/p9", headers=secret_header).json()["email"] == "ida@example.dk"
        )
        body = {"id": "p10", "name": "Ny Person", "title": "Konsulent", "unit_id": "u001"}
        body |= {"expertise": ["noget nyt"], "email": ""}
        # A write after the restore: the audit log's ids go on from the restored ones.
        assert client.post("/api/people", json=body, headers=secret_header).status_code == 201
    assert embedder.embedded_count == 1  # only the new person's text, nothing at start


def test_every_table_of_a_home_is_backed_up(home: Path) -> None:
    app = create_app(Settings(home=home, api_key=None), embedder=FakeEmbedder())
    app.state.tvaers.close()
    engine = sa.create_engine(f"sqlite:///{home / 'tvaers.db'}")
    try:
        # Alembic's version table stays behind: the restoring home has its own, at the newest.
        tables = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == {t.name for t in TABLES}
    finally:
        engine.dispose()


def test_backup_while_serving_and_restore_into_a_new_home(
    home: Path, tmp_path: Path, key_headers: dict[str, dict[str, str]]
) -> None:
    source = Home(home)
    admin = key_headers["test-admin"]
    archive = tmp_path / "kopi" / "tvaers.zip"
    app = create_app(Settings(home=home, api_key=None), embedder=FakeEmbedder())
    with TestClient(app) as client:
        fill_features(client, admin)
        taken = run(source, "backup", str(archive))  # while the service runs
        assert taken.exit_code == 0, taken.output
        assert f"Sikkerhedskopi skrevet til {archive}: 6 enheder, 5 personer" in taken.output
        assert "med indeks" in taken.output
        expected = rows_of(source)
    target = Home(tmp_path / "ny")
    restored = run(target, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert f"Gendannet i {target.path}" in restored.output
    assert rows_of(target) == expected
    assert expected.get("synonyms")  # the admins' list is a table now
    assert (target.index_dir / "CURRENT").exists()
    assert_restored_home_works(target, admin)


def test_restore_refuses_a_home_with_data_and_files_that_are_no_backup(
    home: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "tvaers.zip"
    assert run(Home(home), "backup", str(archive)).exit_code == 0
    refused = run(Home(home), "restore", str(archive))
    assert refused.exit_code == 1
    assert "Der kan kun gendannes i en ny hjemmemappe" in refused.output
    not_zip = tmp_path / "noter.txt"
    not_zip.write_text("hej")
    wrong = run(Home(tmp_path / "ny"), "restore", str(not_zip))
    assert wrong.exit_code == 1 and "kan ikke læses som en sikkerhedskopi" in wrong.output
    empty = run(Home(tmp_path / "ingen"), "backup", str(tmp_path / "x.zip"))
    assert empty.exit_code == 1 and "Der er ingen database" in empty.output
    assert not (tmp_path / "x.zip").exists()


def test_a_backup_taken_during_writes_restores_a_consistent_home(
    tmp_path: Path, mini_folder: Path
) -> None:
    """Writers go on while the copy is taken: the restored rows and snapshot agree, whatever
    moment the copy caught, and the restored home opens without embedding."""
    source = Home(tmp_path / "kilde")
    index_data_folder(mini_folder, source, FakeEmbedder())
    written: list[str] = []
    failed: list[BaseException] = []

    def write() -> None:
        store = source.open_store()
        try:
            for n in range(40):
                record = person(f"w{n}", f"emne {n}", "u1")
                upsert_record(store, FakeEmbedder(), record, new=True)
                written.append(record.id)
        except BaseException as exc:
            failed.append(exc)
        finally:
            store.close()

    writer = threading.Thread(target=write)
    writer.start()
    archive = tmp_path / "tvaers.zip"
    taken = run(source, "backup", str(archive))
    writer.join(timeout=120)
    assert not failed and len(written) == 40
    assert taken.exit_code == 0, taken.output
    target = Home(tmp_path / "ny")
    assert run(target, "restore", str(archive)).exit_code == 0
    store = target.open_store()
    embedder = FakeEmbedder()
    try:
        head = store.head().revision
        live = LiveIndex.open(store, embedder, target.index_dir)
        try:
            index = live.current
            records = store.read(lambda r: r.all_records())
            assert index.revision == head
            assert index.meta.count == len(records)
            copied = [r.id for r in records if r.id.startswith("w")]
            assert copied == sorted(written[: len(copied)])  # a prefix of the writes, in order
        finally:
            live.close()
    finally:
        store.close()
    assert embedder.embedded_count == 0


@pytest.fixture
def second_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """Another new, empty database on the same server (the restore's target)."""
    name = f"tvaers_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(
        postgres_server.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield postgres_server.url(name)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def service_data(tmp_path: Path) -> Path:
    """The service tests' data folder (units u001, …), written by conftest_service."""
    from tests.conftest_service import write_data_folder

    return write_data_folder(tmp_path / "data")


def _indexed_with_a_key(home: Home, data: Path) -> dict[str, str]:
    index_data_folder(data, home, FakeEmbedder())
    store = home.open_store()
    try:
        return {"Authorization": f"Bearer {ApiKeys(store.engine).create('admin', Role.admin)}"}
    finally:
        store.close()


@pytest.mark.parametrize("source_database", ["postgresql", "sqlite"])
def test_backup_and_restore_on_postgres(
    source_database: str,
    tmp_path: Path,
    service_data: Path,
    postgres_url: str,
    second_postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL to PostgreSQL, and SQLite to PostgreSQL (a move to a real server)."""
    url = postgres_url if source_database == "postgresql" else None
    source = Home(tmp_path / "kilde", url)
    admin = _indexed_with_a_key(source, service_data)
    app = create_app(
        Settings(home=source.path, database_url=url, api_key=None), embedder=FakeEmbedder()
    )
    with TestClient(app) as client:
        fill_features(client, admin)
        if url:
            monkeypatch.setenv("TVAERS_DATABASE_URL", url)
        else:
            monkeypatch.delenv("TVAERS_DATABASE_URL", raising=False)
        taken = run(source, "backup", str(tmp_path / "tvaers.zip"))
        assert taken.exit_code == 0, taken.output
        expected = rows_of(source)
    target = Home(tmp_path / "ny", second_postgres_url)
    monkeypatch.setenv("TVAERS_DATABASE_URL", second_postgres_url)
    restored = run(target, "restore", str(tmp_path / "tvaers.zip"))
    assert restored.exit_code == 0, restored.output
    assert rows_of(target) == expected
    assert_restored_home_works(target, admin)
