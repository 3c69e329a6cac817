"""The store on PostgreSQL (any SQLAlchemy URL works; SQLite is the default).

Runs when TVAERS_TEST_POSTGRES_URL names a database it may use (needs `pip install -e
'.[postgres]'`), e.g. `postgresql+psycopg://tvaers:tvaers@127.0.0.1/tvaers`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.search import Searcher
from indexer.build import Home, index_data_folder
from indexer.index import SearchIndex
from indexer.records import Record
from indexer.updates import delete_record, upsert_record
from tests.fakes import FakeEmbedder

URL = os.environ.get("TVAERS_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(URL is None, reason="set TVAERS_TEST_POSTGRES_URL to run")


@pytest.fixture
def home(tmp_path: Path) -> Home:
    assert URL is not None
    engine = sa.create_engine(URL)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS records, embeddings"))
    engine.dispose()
    return Home(tmp_path / "home", URL)


def test_index_search_write_and_erase_on_postgres(home: Home, mini_folder: Path) -> None:
    embedder = FakeEmbedder()
    assert index_data_folder(mini_folder, home, embedder).embedded == 21
    assert index_data_folder(mini_folder, home, embedder).embedded == 0  # the cache is in Postgres
    store = home.open_store()
    index = SearchIndex.load(home.index_dir)
    person = Record(
        "person",
        "px",
        {"id": "px", "name": "Ida Ølgaard", "title": "", "unit_id": "u1", "expertise": "zebra"},
    )
    upsert_record(store, index, embedder, person)
    searcher = Searcher(index, embedder)
    assert searcher.search_by_text("Ida Ølgaard").hits[0].id == "px"
    delete_record(store, index, "person", "px")
    assert store.get("person", "px") is None
    assert store.fingerprint() == index.meta.store_fingerprint
    store.close()
