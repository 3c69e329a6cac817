"""One schema, versioned by Alembic: new databases, and homes written before Alembic."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from engine.search import Searcher
from indexer import migrations
from indexer.build import Home
from indexer.live import LiveIndex
from indexer.schema import metadata
from service import cli
from tests.fakes import FakeEmbedder

OLD_HOME = Path(__file__).parent / "data" / "home_773a4d5"


def _load_old_home(url: str) -> None:
    """The tables and rows main 773a4d5 wrote, loaded as its dump has them."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(str(parsed.database)) as conn:
            conn.executescript((OLD_HOME / "sqlite.sql").read_text("utf-8"))
        return
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute((OLD_HOME / "postgresql.sql").read_text("utf-8"))  # type: ignore[arg-type]


def _differences(url: str) -> list[object]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'home' / 'tvaers.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_the_migrations_give_exactly_the_schema_module(database_url: str, tmp_path: Path) -> None:
    store = Home(tmp_path / "home", database_url).open_store()
    try:
        assert store.schema.before is None and store.schema.after == migrations.head()
    finally:
        store.close()
    assert _differences(database_url) == []


def test_a_home_written_by_main_773a4d5_is_upgraded_and_its_records_found(
    database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "home").mkdir()
    _load_old_home(database_url)
    home = Home(tmp_path / "home", database_url)

    store = home.open_store()

    try:
        assert store.schema.before is None  # 773a4d5 had no schema version
        assert store.schema.after == migrations.head()
        records = store.all_records()
        assert len(records) == 22  # the mini folder's 21 and Gerda, written by an editor
        assert store.get("person", "p773") is not None
        live = LiveIndex.open(store, FakeEmbedder(), home.index_dir)
        hits = Searcher(live.current, FakeEmbedder()).search_by_text("Gerda Gammelskov").hits
        assert hits[0].id == "p773"
        with store.engine.connect() as conn:
            actors = conn.execute(sa.text("SELECT actor_name FROM audit_log")).scalars().all()
            proposals = conn.execute(sa.text("SELECT count(*) FROM pairing_proposals"))
            assert proposals.scalar_one() == 0  # the new tables are there
        assert actors == ["Gerda Gammelskov"]
    finally:
        store.close()
    assert _differences(database_url) == []


def test_tvaers_db_upgrade_says_what_it_did(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _load_old_home(f"sqlite:///{home / 'tvaers.db'}")
    runner = CliRunner()

    first = runner.invoke(cli.main, ["--home", str(home), "db", "upgrade"])
    again = runner.invoke(cli.main, ["--home", str(home), "db", "upgrade"])

    assert first.exit_code == 0, first.output
    assert f"fra skema uden version til {migrations.head()}" in first.output
    assert "allerede det nyeste skema" in again.output
