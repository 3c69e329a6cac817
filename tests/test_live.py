"""The index follows the database: one revision per change, incremental writes, readers that never
wait, replicas on one database, and an index that is never older than it was."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from engine.search import Searcher
from indexer.build import Home
from indexer.live import LiveIndex, LivePolicy, index_data_folder, rebuild_index
from indexer.records import Record, documents_from_records
from indexer.snapshots import current_name
from indexer.store import RESET, Reader, Store
from indexer.updates import delete_record, upsert_record
from tests.fakes import FakeEmbedder, passages
from tests.folders import ROWS, write_data_folder

pytest_plugins = ("tests.conftest_service",)


@pytest.fixture
def built(tmp_path: Path) -> Iterator[tuple[Home, Store]]:
    home = Home(tmp_path / "home")
    index_data_folder(write_data_folder(tmp_path / "data"), home, FakeEmbedder())
    store = home.open_store()
    yield home, store
    store.close()


def person(record_id: str, expertise: str, unit_id: str = "u1") -> Record:
    fields = {"name": "Ida Ølgaard", "title": "Konsulent", "unit_id": unit_id}
    return Record("person", record_id, {"id": record_id, **fields, "expertise": expertise})


def changes(store: Store, after: int = 0) -> list[tuple[int, str, str]]:
    return store.changes_after(after, 1000)


def found(searcher: Searcher, query: str) -> list[str]:
    return [h.id for h in searcher.search_by_text(query, limit=5).hits]


def assert_index_is_the_store(live: LiveIndex) -> None:
    """Nothing half-applied: the index shows exactly the records the database holds."""
    index = live.current
    expected = {d.key: d for d in documents_from_records(live.store.all_records())}
    assert {d.key: d for d in index.live_documents()} == expected
    assert index.revision == live.store.head().revision


# 1. The database is the log ---------------------------------------------------------------


def test_every_change_commits_one_revision_with_its_records(
    built: tuple[Home, Store], tmp_path: Path
) -> None:
    home, store = built
    assert store.head().revision == 1  # the folder, in one revision
    assert {k for _, k, _ in changes(store)} == {"unit", "person", "trial"}

    revision = upsert_record(store, FakeEmbedder(), person("p9", "zebraer")).revision
    assert revision == 2
    assert changes(store, 1) == [(2, "person", "p9")]

    unit = store.get("unit", "u1")
    assert unit is not None
    renamed = Record("unit", "u1", unit.fields | {"name": "Nattevagten"})
    upsert_record(store, FakeEmbedder(), renamed)
    shown = {(k, i) for _, k, i in changes(store, 2)}
    assert shown == {("unit", "u1"), *((r.kind, r.id) for r in store.records_of_unit("u1"))}

    delete_record(store, FakeEmbedder(), "person", "p9")
    assert changes(store, 3) == [(4, "person", "p9")]

    folder = write_data_folder(tmp_path / "again")
    report = index_data_folder(folder, home, FakeEmbedder())  # back to the files' unit name
    assert (report.revision, report.changed) == (5, 1 + len(store.records_of_unit("u1")))
    assert index_data_folder(folder, home, FakeEmbedder()).changed == 0
    assert store.head().revision == 5  # an unchanged folder commits nothing

    rebuild_index(home, FakeEmbedder())
    assert changes(store, 5) == [(6, *RESET)]


def test_no_process_re_embeds_another_process_write(built: tuple[Home, Store]) -> None:
    home, store = built
    writer, follower = FakeEmbedder(), FakeEmbedder()
    live = LiveIndex.open(store, follower, home.index_dir)
    upsert_record(store, writer, person("p9", "zebraer"))
    assert writer.embedded_count == 1
    live.catch_up()
    assert follower.embedded_count == 0  # the vector came with the write, in the database
    assert found(Searcher(live.current, follower), "zebraer") == ["p9"]


# 2. Every reader follows it ----------------------------------------------------------------


def test_a_reader_opens_the_newest_snapshot_and_applies_the_log_after_it(
    built: tuple[Home, Store],
) -> None:
    home, store = built
    snapshot = current_name(home.index_dir)
    upsert_record(store, FakeEmbedder(), person("p9", "zebraer"))
    live = LiveIndex.open(store, FakeEmbedder(), home.index_dir)
    assert current_name(home.index_dir) == snapshot  # opened, not rebuilt
    assert live.current.revision == 2
    assert found(Searcher(live.current, FakeEmbedder()), "zebraer") == ["p9"]


def test_cli_search_is_never_stale(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from service import cli

    store = Home(home).open_store()
    upsert_record(store, FakeEmbedder(), person("p9", "zebraer", unit_id="u001"))
    store.close()
    monkeypatch.setattr(cli, "make_embedder", lambda settings: FakeEmbedder())
    result = CliRunner().invoke(cli.main, ["--home", str(home), "search", "zebraer", "--json"])
    assert result.exit_code == 0, result.output
    assert '"id": "p9"' in result.output


def test_index_while_serving_removes_an_erased_person_for_good(
    home: Path, tmp_path: Path, app_factory: Callable[..., Any], auth: dict[str, str]
) -> None:
    """`tvaers index` of a folder without a person, while the service runs: the service stops
    showing them without a restart, and its next write does not bring them back."""
    from tests.conftest_service import PEOPLE, UNITS, write_csv

    folder = tmp_path / "data"
    folder.mkdir()
    write_csv(folder / "units.csv", UNITS)
    write_csv(folder / "people.csv", [p for p in PEOPLE if p["id"] != "p001"])
    with TestClient(app_factory(home)) as client:
        assert "p001" in search_ids(client, "Ingeborg Skovsgaard")
        index_data_folder(folder, Home(home), FakeEmbedder())  # as the CLI beside the service
        wait_until(lambda: "p001" not in search_ids(client, "Ingeborg Skovsgaard"))
        response = client.put("/api/people/p002", json={"title": "Leder"}, headers=auth)
        assert response.status_code == 200
        assert "p001" not in search_ids(client, "Ingeborg Skovsgaard")
    store = Home(home).open_store()
    live = LiveIndex.open(store, FakeEmbedder(), Home(home).index_dir)
    assert live.current.document("person:p001") is None
    assert "p001" not in found(Searcher(live.current, FakeEmbedder()), "Ingeborg Skovsgaard")
    store.close()


def test_a_stale_writer_never_saves_an_older_index(built: tuple[Home, Store]) -> None:
    home, store = built
    stale = LiveIndex.open(store, FakeEmbedder(), home.index_dir)
    fresh = LiveIndex.open(store, FakeEmbedder(), home.index_dir)
    delete_record(store, FakeEmbedder(), "person", "p2")
    fresh.catch_up()
    assert fresh.snapshot() is not None
    newest = current_name(home.index_dir)
    assert stale.current.document("person:p2") is not None  # stale still holds the person
    assert stale.snapshot() is None  # and may not write that over the newer snapshot
    assert current_name(home.index_dir) == newest
    reopened = LiveIndex.open(store, FakeEmbedder(), home.index_dir)
    assert reopened.current.document("person:p2") is None


# 3. Writes are incremental -----------------------------------------------------------------


def test_a_write_changes_the_index_in_place(
    built: tuple[Home, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No FAISS rebuild, no rewrite of the index folder, no pass over every record."""
    home, store = built
    live = LiveIndex.open(store, FakeEmbedder(), home.index_dir)
    before = live.current
    files = {p: p.stat().st_mtime_ns for p in home.index_dir.rglob("*")}

    def everything(*args: object) -> None:
        raise AssertionError("a write read every record")

    monkeypatch.setattr(Reader, "all_records", everything)
    monkeypatch.setattr(Reader, "all_hashes", everything)
    upsert_record(store, FakeEmbedder(), person("p9", "zebraer"))
    delete_record(store, FakeEmbedder(), "person", "p2")
    live.catch_up()

    after = live.current
    assert after.dense is before.dense  # FAISS untouched; new rows are searched exactly
    assert {p: p.stat().st_mtime_ns for p in home.index_dir.rglob("*")} == files
    assert (after.dead, after.size - after.dense_rows) == (1, 1)
    assert before.document("person:p2") is not None  # readers of the old version keep it
    monkeypatch.undo()
    assert_index_is_the_store(live)


def test_a_unit_rename_re_embeds_only_the_texts_that_show_the_unit(
    built: tuple[Home, Store],
) -> None:
    _, store = built
    embedder = FakeEmbedder()
    unit = store.get("unit", "u1")
    assert unit is not None
    upsert_record(store, embedder, Record("unit", "u1", unit.fields | {"name": "Nattevagten"}))
    shown = ["u1", *(r.id for r in store.records_of_unit("u1"))]
    assert len(shown) == 1 + sum(
        1 for k in ("person", "trial") for row in ROWS[k] if row[3 if k == "person" else 2] == "u1"
    )
    texts = [d.text for d in documents_from_records(store.all_records()) if d.id in shown]
    assert sorted(t for call in embedder.calls for t in call) == sorted(passages(texts))


def test_tombstones_are_compacted_in_the_background(built: tuple[Home, Store]) -> None:
    home, store = built
    policy = LivePolicy(compact_dead_share=0.1)
    live = LiveIndex.open(store, FakeEmbedder(), home.index_dir, policy)
    delete_record(store, FakeEmbedder(), "person", "p2")
    upsert_record(store, FakeEmbedder(), person("p9", "zebraer"))
    live.catch_up()
    before = [found(Searcher(live.current, FakeEmbedder()), q) for q in ("zebraer", "MitID")]
    assert live.current.dead == 1
    live.maintain_once()
    assert (live.current.dead, live.current.size - live.current.dense_rows) == (0, 0)
    after = [found(Searcher(live.current, FakeEmbedder()), q) for q in ("zebraer", "MitID")]
    assert after == before
    assert_index_is_the_store(live)


# 4. Reads never wait for embedding ---------------------------------------------------------


class SlowPassages(FakeEmbedder):
    """Holds every passage embedding until released: a write stuck in the model.

    (A query needs the model too, and waits for at most one small batch of a write's texts;
    here the query is one asked before, so only an index lock could hold it up.)"""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()

    def embed_passages(self, texts: Any) -> np.ndarray:
        self.entered.set()
        self.release.wait(30)
        return super().embed_passages(texts)


def test_searches_and_health_answer_while_a_write_embeds(
    home: Path, settings_factory: Callable[..., Any], auth: dict[str, str]
) -> None:
    from service.app import create_app

    embedder = SlowPassages()
    with TestClient(create_app(settings_factory(home), embedder=embedder)) as client:
        assert client.get("/api/search", params={"q": "MitID"}).json()["hits"]  # warm
        body = {"id": "p9", "name": "Ida Ølgaard", "title": "", "unit_id": "u001"}
        write = threading.Thread(
            target=client.post,
            args=("/api/people",),
            kwargs={"json": {**body, "expertise": ["zebraer"], "email": ""}, "headers": auth},
        )
        write.start()
        assert embedder.entered.wait(10)
        started = time.monotonic()
        assert client.get("/health").status_code == 200
        assert client.get("/api/search", params={"q": "MitID"}).json()["hits"]
        assert time.monotonic() - started < 2.0  # not behind the write's embedding
        assert embedder.queries_embedded == 1  # the write still waits in the model
        embedder.release.set()
        write.join(10)
        assert search_ids(client, "zebraer") == ["p9"]


# 6. Several replicas -----------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_a_write_through_one_replica_is_in_every_replica_within_a_second(
    database_url: str,
    tmp_path: Path,
    settings_factory: Callable[..., Any],
    key_factory: Callable[..., dict[str, str]],
) -> None:
    """Two replicas, each with its own home folder, on one database (SQLite and PostgreSQL)."""
    from service.app import create_app
    from tests.conftest_service import write_data_folder as write_service_folder

    data = write_service_folder(tmp_path / "data")
    homes = [tmp_path / "a", tmp_path / "b"]
    index_data_folder(data, Home(homes[0], database_url), FakeEmbedder())
    auth = key_factory(homes[0], "replicas", database_url=database_url)
    apps = [
        create_app(settings_factory(h, database_url=database_url), embedder=FakeEmbedder())
        for h in homes
    ]
    with TestClient(apps[0]) as a, TestClient(apps[1]) as b:
        # The clock below times replication, not the warming each replica starts with (the
        # Danish lexicon, suggestions): wait until both have warmed once.
        assert all(app.state.tvaers.warmed.wait(60) for app in apps)
        body = {"id": "p9", "name": "Ida Ølgaard", "title": "", "unit_id": "u001"}
        body |= {"expertise": ["zebraer"], "email": ""}
        for client, other, word in ((a, b, "zebraer"), (b, a, "giraffer")):
            if word == "zebraer":
                assert client.post("/api/people", json=body, headers=auth).status_code == 201
            else:
                response = client.put("/api/people/p9", json={"expertise": [word]}, headers=auth)
                assert response.status_code == 200
            # The promise is about replication: from the write's answer (its commit), as
            # bench_live measures replica lag, not including the write's own embedding.
            written = time.monotonic()
            assert search_ids(client, word) == ["p9"]  # the writer reads its own write
            wait_until(lambda w=word, o=other: search_ids(o, w) == ["p9"], seconds=1.0)
            assert time.monotonic() - written < 1.0
        assert client.delete("/api/people/p9", headers=auth).status_code == 200
        wait_until(lambda: search_ids(a, "giraffer") == search_ids(b, "giraffer") == [])


def search_ids(client: TestClient, query: str) -> list[str]:
    hits = client.get("/api/search", params={"q": query, "limit": 5}).json()["hits"]
    return [h["id"] for h in hits if query.split()[0].lower() in str(h).lower()]


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.02)


def test_queries_go_before_the_rest_of_a_long_passage_run() -> None:
    """A pairing run or a big write holds the model for one text at a time: a waiting query
    goes next (the model itself is shared, one call at a time)."""
    from service.api.state import SerializedEmbedder

    order: list[str] = []
    started = threading.Event()

    class Recording(FakeEmbedder):
        def embed_passages(self, texts: Any) -> np.ndarray:
            order.append("passage")
            started.set()
            time.sleep(0.2)
            return super().embed_passages(texts)

        def embed_queries(self, texts: Any) -> np.ndarray:
            order.append("query")
            return super().embed_queries(texts)

    model = SerializedEmbedder(Recording())
    run = threading.Thread(target=model.embed_passages, args=(["a", "b", "c", "d"],))
    run.start()
    assert started.wait(5)
    queries = [threading.Thread(target=model.embed_queries, args=([q],)) for q in ("x", "y")]
    for query in queries:
        query.start()
    for thread in [run, *queries]:
        thread.join(10)
    assert order == ["passage", "query", "query", "passage", "passage", "passage"]
