"""The store on PostgreSQL (any SQLAlchemy URL works; SQLite is the default).

Runs against a throwaway cluster the `postgres_url` fixture starts (tests/postgres.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.search import Searcher
from indexer.build import Home
from indexer.live import LiveIndex, index_data_folder
from indexer.records import Record
from indexer.updates import delete_record, upsert_record
from tests.fakes import FakeEmbedder


@pytest.fixture
def home(tmp_path: Path, postgres_url: str) -> Home:
    return Home(tmp_path / "home", postgres_url)


def test_index_search_write_and_erase_on_postgres(home: Home, mini_folder: Path) -> None:
    embedder = FakeEmbedder()
    assert index_data_folder(mini_folder, home, embedder).embedded == 21
    assert index_data_folder(mini_folder, home, embedder).embedded == 0  # the cache is in Postgres
    store = home.open_store()
    live = LiveIndex.open(store, embedder, home.index_dir)
    person = Record(
        "person",
        "px",
        {"id": "px", "name": "Ida Ølgaard", "title": "", "unit_id": "u1", "expertise": "zebra"},
    )
    revision = upsert_record(store, embedder, person).revision
    live.catch_up()
    assert live.current.revision == revision == store.head().revision
    assert Searcher(live.current, embedder).search_by_text("Ida Ølgaard").hits[0].id == "px"
    [document] = [d for d in live.current.live_documents() if d.id == "px"]
    delete_record(store, embedder, "person", "px")
    live.catch_up()
    assert store.get("person", "px") is None
    assert live.current.document("person:px") is None
    assert store.cached_vectors(embedder.model_id, [document.content_hash]) == {}
    store.close()
