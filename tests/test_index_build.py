"""Building, saving and loading the search index; the embedding cache; the model guard."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine.search import Searcher
from indexer.build import Home, vectors_of
from indexer.dense import choose_spec
from indexer.errors import IndexNotFoundError, ModelMismatchError
from indexer.index import SearchIndex
from indexer.live import index_data_folder, rebuild_index
from indexer.loading import load_data_folder
from indexer.records import (
    REQUIRED_COLUMNS,
    Document,
    Kind,
    documents_from_records,
    text_pieces,
)
from indexer.snapshots import current_name, write_snapshot
from tests.fakes import FakeEmbedder, passages
from tests.folders import ROWS, snapshot_of, write_data_folder

QUERIES = ["skærmbesøg om natten", "MitID", "Power BI", "Søren Østergaard", "aeldrepleje"]


def with_row(kind: Kind, index: int, **values: str) -> dict[Kind, list[tuple[str, ...]]]:
    columns = REQUIRED_COLUMNS[kind]
    rows = dict(ROWS)
    old = dict(zip(columns, rows[kind][index], strict=True)) | values
    rows[kind] = [*rows[kind][:index], tuple(old[c] for c in columns), *rows[kind][index + 1 :]]
    return rows


def documents_of(folder: Path) -> list[Document]:
    return documents_from_records(load_data_folder(folder).records)


def built_in_memory(folder: Path, *, exact_search_limit: int = 20_000) -> SearchIndex:
    documents = documents_of(folder)
    vectors = FakeEmbedder().embed_passages([d.text for d in documents])
    return SearchIndex.build(
        documents,
        vectors,
        model_id=FakeEmbedder().model_id,
        exact_search_limit=exact_search_limit,
    )


def search_all(index: SearchIndex) -> list[list[tuple[str, float, str, list[str]]]]:
    searcher = Searcher(index, FakeEmbedder())
    results = []
    for query in QUERIES:
        hits = searcher.search_by_text(query, limit=20).hits
        results.append(
            [
                (f"{h.kind}:{h.id}", h.score, h.explanation.matched_by, h.explanation.matched_terms)
                for h in hits
            ]
        )
    results.append([(h.id, h.score, "", []) for h in searcher.similar_units("u1")])
    return results


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_data_folder(tmp_path / "data")


@pytest.fixture
def home(tmp_path: Path, folder: Path) -> Home:
    home = Home(tmp_path / "home")
    index_data_folder(folder, home, FakeEmbedder())
    return home


def test_indexing_embeds_every_text_once_and_reports_counts(folder: Path, tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    report = index_data_folder(folder, Home(tmp_path / "home"), embedder)
    assert report.counts == {"unit": 3, "person": 3, "trial": 2}
    assert (report.embedded, report.reused) == (8, 0)
    assert (report.index_type, report.model_id) == ("flat", "fake/hashing@1")
    assert sorted(t for call in embedder.calls for t in call) == sorted(
        t for d in documents_of(folder) for t in (d.text, *text_pieces(d.text))
    )


@pytest.mark.parametrize("exact_search_limit", [20_000, 2], ids=["flat", "hnsw"])
def test_save_load_round_trip_gives_identical_search_results(
    folder: Path, tmp_path: Path, exact_search_limit: int
) -> None:
    index = built_in_memory(folder, exact_search_limit=exact_search_limit)
    index.save(tmp_path / "index")

    loaded = SearchIndex.load(tmp_path / "index")

    assert loaded.documents == index.documents
    np.testing.assert_array_equal(loaded.vectors, index.vectors)
    assert loaded.meta == index.meta
    assert search_all(loaded) == search_all(index)
    assert search_all(index)[1][0][0] in {"unit:u2", "person:p3"}


def test_metadata_records_model_dimension_and_flat_index(home: Home) -> None:
    meta = json.loads((home.index_dir / current_name(home.index_dir) / "meta.json").read_text())
    store = home.open_store()
    try:
        head = store.head()
    finally:
        store.close()
    assert meta["model_id"] == "fake/hashing@1"
    assert meta["dimension"] == 64
    assert meta["dense"] == {"type": "flat", "params": {}}
    assert meta["count"] == 8
    assert (meta["revision"], meta["log_id"]) == (head.revision, head.log_id)
    assert head.revision == 1  # one folder indexed: one revision


def test_metadata_records_hnsw_parameters(folder: Path, tmp_path: Path) -> None:
    index = built_in_memory(folder, exact_search_limit=2)
    index.save(tmp_path / "index")
    meta = json.loads((tmp_path / "index" / "meta.json").read_text())
    expected = choose_spec(10**6)
    assert meta["dense"] == {"type": "hnsw", "params": expected.params}
    assert SearchIndex.load(tmp_path / "index").dense.hnsw.efSearch == expected.params["efSearch"]


def test_reindexing_an_unchanged_folder_embeds_nothing(folder: Path, home: Home) -> None:
    embedder = FakeEmbedder()
    report = index_data_folder(folder, home, embedder)
    assert embedder.calls == []
    assert (report.embedded, report.reused) == (0, 8)


def test_reindexing_gives_the_same_search_results(folder: Path, home: Home) -> None:
    before = search_all(snapshot_of(home))
    index_data_folder(folder, home, FakeEmbedder())
    assert search_all(snapshot_of(home)) == before


def test_changed_row_re_embeds_exactly_one_text(tmp_path: Path, home: Home) -> None:
    changed = write_data_folder(
        tmp_path / "changed", with_row("person", 1, expertise="Demens og demensvenlige haver")
    )
    [new_text] = [d.text for d in documents_of(changed) if d.key == "person:p2"]
    embedder = FakeEmbedder()

    report = index_data_folder(changed, home, embedder)

    assert embedder.calls == [passages([new_text])]
    assert (report.embedded, report.reused) == (1, 7)
    document = snapshot_of(home).document("person:p2")
    assert document is not None
    assert document.text == new_text


def test_a_row_removed_from_the_files_leaves_no_cached_vector(tmp_path: Path, home: Home) -> None:
    gone = snapshot_of(home).document("person:p2")
    assert gone is not None
    rows = {**ROWS, "person": [r for r in ROWS["person"] if r[0] != "p2"]}
    index_data_folder(write_data_folder(tmp_path / "changed", rows), home, FakeEmbedder())

    store = home.open_store()
    kept = list(snapshot_of(home).live_documents())
    assert store.cached_vectors(FakeEmbedder().model_id, [gone.content_hash]) == {}
    assert set(store.cached_vectors(FakeEmbedder().model_id, [d.content_hash for d in kept])) == {
        d.content_hash for d in kept
    }
    store.close()


def test_another_model_re_embeds_everything(folder: Path, home: Home) -> None:
    embedder = FakeEmbedder(model_id="fake/other@2")
    report = index_data_folder(folder, home, embedder)
    assert embedder.embedded_count == len(passages([d.text for d in documents_of(folder)]))
    assert report.model_id == "fake/other@2"


def test_identical_texts_are_embedded_once(tmp_path: Path) -> None:
    rows = dict(ROWS)
    rows["trial"] = [ROWS["trial"][0], ("t3", *ROWS["trial"][0][1:])]
    embedder = FakeEmbedder()
    folder = write_data_folder(tmp_path / "d", rows)
    report = index_data_folder(folder, Home(tmp_path / "h"), embedder)
    assert report.counts["trial"] == 2
    texts = {d.text for d in documents_of(folder)}
    assert (embedder.embedded_count, report.embedded) == (len(passages(list(texts))), 7)


def test_rebuild_from_the_store_embeds_nothing(home: Home) -> None:
    embedder = FakeEmbedder()
    report = rebuild_index(home, embedder)
    assert embedder.calls == []
    assert report.counts == {"unit": 3, "person": 3, "trial": 2}


def test_cached_vectors_equal_fresh_embeddings(folder: Path, home: Home) -> None:
    documents = documents_of(folder)
    store = home.open_store()
    try:
        vectors, _, embedded = vectors_of(documents, FakeEmbedder(), store)
    finally:
        store.close()
    assert embedded == 0
    np.testing.assert_array_equal(
        vectors, FakeEmbedder().embed_passages([d.text for d in documents])
    )


def test_querying_with_another_model_raises_model_mismatch(home: Home) -> None:
    index = snapshot_of(home)
    with pytest.raises(ModelMismatchError) as excinfo:
        Searcher(index, FakeEmbedder(model_id="fake/other@2"))
    assert "fake/hashing@1" in str(excinfo.value)
    assert "fake/other@2" in str(excinfo.value)
    assert "tvaers reindex" in str(excinfo.value)


def test_loading_a_missing_index_raises_index_not_found(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="Der er intet indeks"):
        SearchIndex.load(tmp_path / "index")


def test_snapshots_leave_only_the_current_one(folder: Path, home: Home) -> None:
    index = snapshot_of(home)
    assert write_snapshot(home.index_dir, index) is None  # as new as the current one
    newer = index.applied([], [], np.zeros((0, 64), dtype=np.float32), revision=index.revision + 1)
    assert write_snapshot(home.index_dir, newer) is not None
    assert write_snapshot(home.index_dir, index) is None  # never older over newer
    names = sorted(p.name for p in home.index_dir.iterdir())
    assert names == [".lock", "CURRENT", current_name(home.index_dir)]
    assert snapshot_of(home).revision == index.revision + 1
    assert sorted(p.name for p in home.path.iterdir()) == ["index", "tvaers.db"] + [
        p.name for p in home.path.iterdir() if p.name.startswith("tvaers.db-")
    ]


@pytest.mark.parametrize("exact_search_limit", [20_000, 2], ids=["flat", "hnsw"])
def test_applied_equals_building_from_scratch(
    folder: Path, tmp_path: Path, exact_search_limit: int
) -> None:
    index = built_in_memory(folder, exact_search_limit=exact_search_limit)
    changed = write_data_folder(
        tmp_path / "changed", with_row("trial", 0, description="Skærme og sensorer i natplejen.")
    )
    new_documents = documents_of(changed)
    [trial] = [d for d in new_documents if d.key == "trial:t1"]
    kept = [d for d in new_documents if d.key not in {"trial:t1", "person:p3"}]
    expected_documents = [*kept, trial]

    before = search_all(index)
    changed_index = index.applied(
        ["person:p3"], [trial], FakeEmbedder().embed_passages([trial.text]), revision=2
    )

    rebuilt = SearchIndex.build(
        expected_documents,
        FakeEmbedder().embed_passages([d.text for d in expected_documents]),
        model_id=FakeEmbedder().model_id,
    )
    assert list(changed_index.live_documents()) == rebuilt.documents
    assert (changed_index.meta.count, changed_index.revision) == (7, 2)
    assert_same_results(search_all(changed_index), search_all(rebuilt))
    assert_same_results(search_all(changed_index.compacted()), search_all(rebuilt))
    assert search_all(index) == before  # the old version is untouched: readers keep it


def assert_same_results(
    got: list[list[tuple[str, float, str, list[str]]]],
    expected: list[list[tuple[str, float, str, list[str]]]],
) -> None:
    """Same hits in the same order; scores equal up to float rounding (FAISS vs numpy)."""
    assert [[(k, m, t) for k, _, m, t in q] for q in got] == [
        [(k, m, t) for k, _, m, t in q] for q in expected
    ]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose([h[1] for h in g], [h[1] for h in e], rtol=1e-5, atol=1e-6)
