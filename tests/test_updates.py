"""Single-record upsert and delete: the store changes, the index follows, embeddings are reused
where the text is unchanged and forgotten where it is gone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
import pytest

from indexer.build import Home
from indexer.errors import DataError, NotFoundError
from indexer.index import SearchIndex
from indexer.live import LiveIndex, index_data_folder
from indexer.records import REQUIRED_COLUMNS, Document, Kind, Record, documents_from_records
from indexer.store import Store
from indexer.updates import delete_record, upsert_record
from tests.fakes import FakeEmbedder, passages
from tests.folders import ROWS, write_data_folder


@dataclass
class Live:
    """A built home opened for writes, as the service holds it; the index follows the log."""

    store: Store
    live_index: LiveIndex
    embedder: FakeEmbedder

    @property
    def index(self) -> SearchIndex:
        self.live_index.catch_up()
        return self.live_index.current

    def record(self, kind: Kind, record_id: str, **changes: str) -> Record:
        record = self.store.get(kind, record_id)
        assert record is not None
        return Record(kind, record_id, record.fields | changes)

    def document(self, key: str) -> Document:
        document = self.index.document(key)
        assert document is not None
        return document

    def embedded_texts(self) -> list[str]:
        return [text for call in self.embedder.calls for text in call]

    def is_cached(self, document: Document) -> bool:
        found = self.store.cached_vectors(self.embedder.model_id, [document.content_hash])
        return bool(found)

    def snapshot(self) -> tuple[list[Record], list[Document], bytes]:
        index = self.index
        return self.store.all_records(), list(index.live_documents()), index.vectors.tobytes()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    home = Home(tmp_path / "home")
    index_data_folder(write_data_folder(tmp_path / "data"), home, FakeEmbedder())
    store = home.open_store()
    try:
        yield Live(store, LiveIndex.open(store, FakeEmbedder(), home.index_dir), FakeEmbedder())
    finally:
        store.close()


def assert_index_matches_store(live: Live) -> None:
    """What a full rebuild from the store would give: same documents and vectors, and the
    store's revision."""
    index = live.index
    expected = {d.key: d for d in documents_from_records(live.store.all_records())}
    documents = list(index.live_documents())
    assert {d.key: d for d in documents} == expected
    fresh = FakeEmbedder().embed_passages([d.text for d in documents])
    np.testing.assert_array_equal(index.vectors[index.alive], fresh)
    assert index.revision == live.store.head().revision
    assert index.meta.count == len(expected) == int(index.alive.sum())


def test_upsert_of_a_unit_re_embeds_its_peoples_documents(live: Live) -> None:
    unchanged = live.document("person:p3").text

    upsert_record(live.store, live.embedder, live.record("unit", "u1", name="Nattevagten"))

    people = [live.document("person:p1"), live.document("person:p2")]
    assert all("Nattevagten" in p.text and p.unit_name == "Nattevagten" for p in people)
    assert sorted(live.embedded_texts()) == sorted(
        passages([live.document(k).text for k in ("unit:u1", "person:p1", "person:p2", "trial:t1")])
    )
    assert unchanged not in live.embedded_texts()
    assert_index_matches_store(live)


def test_upsert_of_a_unit_forgets_the_vectors_of_replaced_texts(live: Live) -> None:
    old = live.document("person:p1")
    assert live.is_cached(old)
    upsert_record(live.store, live.embedder, live.record("unit", "u1", name="Nattevagten"))
    assert not live.is_cached(old)
    assert live.is_cached(live.document("person:p1"))


def test_upsert_of_an_unchanged_record_embeds_nothing(live: Live) -> None:
    upsert_record(live.store, live.embedder, live.record("person", "p2"))
    assert live.embedder.calls == []
    assert_index_matches_store(live)


def test_upsert_of_a_new_person_embeds_one_text(live: Live) -> None:
    fields = dict(zip(REQUIRED_COLUMNS["person"], ROWS["person"][2], strict=True))
    person = Record("person", "p4", fields | {"id": "p4", "name": "Ida Ølgaard"})

    upsert_record(live.store, live.embedder, person)

    assert live.embedded_texts() == passages([live.document("person:p4").text])
    assert live.document("person:p4").unit_name == "Borgerservice Faxe"
    assert_index_matches_store(live)


def test_upsert_of_a_person_in_a_missing_unit_is_refused(live: Live) -> None:
    before = live.snapshot()
    with pytest.raises(DataError) as excinfo:
        upsert_record(live.store, live.embedder, live.record("person", "p1", unit_id="u9"))
    [problem] = excinfo.value.problems
    assert (problem.file, problem.line, problem.column) == ("person", 1, "unit_id")
    assert "unit_id 'u9' findes ikke i units" in problem.message
    assert live.snapshot() == before
    assert live.embedder.calls == []


def test_upsert_with_an_invalid_sector_is_refused(live: Live) -> None:
    before = live.snapshot()
    with pytest.raises(DataError) as excinfo:
        upsert_record(live.store, live.embedder, live.record("unit", "u2", sector="by"))
    [problem] = excinfo.value.problems
    assert (problem.file, problem.column) == ("unit", "sector")
    assert "ukendt sektor 'by'" in problem.message
    assert live.snapshot() == before


def test_delete_of_a_person_removes_it_from_index_and_store(live: Live) -> None:
    delete_record(live.store, live.embedder, "person", "p1")

    assert live.index.document("person:p1") is None
    assert live.store.get("person", "p1") is None
    assert live.index.lexical.document_frequency("oestergaard") == 0
    assert_index_matches_store(live)


def test_delete_of_a_person_forgets_its_cached_vector(live: Live) -> None:
    person = live.document("person:p1")
    assert live.is_cached(person)
    delete_record(live.store, live.embedder, "person", "p1")
    assert not live.is_cached(person)
    assert live.is_cached(live.document("person:p2"))


def test_delete_of_a_unit_with_people_is_refused(live: Live) -> None:
    before = live.snapshot()
    with pytest.raises(DataError) as excinfo:
        delete_record(live.store, live.embedder, "unit", "u1")
    [problem] = excinfo.value.problems
    assert (problem.file, problem.line, problem.column) == ("unit", None, "id")
    assert "enheden har stadig 3 personer eller prøvehandlinger" in problem.message
    assert live.snapshot() == before


def test_delete_of_an_emptied_unit_is_allowed(live: Live) -> None:
    delete_record(live.store, live.embedder, "trial", "t2")
    delete_record(live.store, live.embedder, "unit", "u3")

    assert live.index.document("unit:u3") is None
    assert_index_matches_store(live)


def test_delete_of_a_missing_record_raises_not_found(live: Live) -> None:
    with pytest.raises(NotFoundError, match="Der findes ingen person med id 'p9'"):
        delete_record(live.store, live.embedder, "person", "p9")


def test_delete_keeps_a_vector_another_document_still_uses(live: Live) -> None:
    twin = live.record("trial", "t1", id="t3")
    upsert_record(live.store, live.embedder, Record("trial", "t3", twin.fields))
    assert live.embedder.calls == []  # same text as t1: served from the cache

    delete_record(live.store, live.embedder, "trial", "t3")

    assert live.is_cached(live.document("trial:t1"))


def test_deleting_a_person_leaves_no_term_of_their_name_in_the_vocabulary(
    mini_home: Home, fake_embedder: FakeEmbedder
) -> None:
    """GDPR erasure: the name is an unknown word at once, and the next snapshot holds no trace:
    not in the vocabulary, the documents, the vectors or FAISS's own copy of them."""
    store = mini_home.open_store()
    live = LiveIndex.open(store, fake_embedder, mini_home.index_dir)
    erased = live.current.document("person:p8")
    assert erased is not None
    delete_record(store, fake_embedder, "person", "p8")  # Yasmin Øberg, the only "yasmin"/"oeberg"
    live.catch_up()
    assert live.current.lexical.column("oeberg") is None
    folder = live.snapshot()
    assert folder is not None
    vocabulary = (folder / "vocabulary.txt").read_text("utf-8").split("\n")
    assert "yasmin" not in vocabulary and "oeberg" not in vocabulary
    assert "spiserobot" in vocabulary  # terms other documents hold stay
    assert "Yasmin" not in (folder / "documents.jsonl").read_text("utf-8")
    erased_vector = fake_embedder.embed_passages([erased.text])[0]
    saved = np.load(folder / "vectors.npy")
    assert not np.any(np.all(np.isclose(saved, erased_vector), axis=1))
    dense = faiss.read_index(str(folder / "dense.faiss"))
    stored = faiss.rev_swig_ptr(dense.get_xb(), dense.ntotal * dense.d).reshape(dense.ntotal, -1)
    assert not np.any(np.all(np.isclose(stored, erased_vector), axis=1))
    store.close()


def test_similar_units_follow_writes_and_keep_the_base_blocks_profiles(live: Live) -> None:
    """Unit profiles are worked out once per base block; units written since are profiled on
    the spot, and a deleted unit is never similar to anything."""
    from engine.search import SearchCaches, Searcher

    caches = SearchCaches()
    before = Searcher(live.index, FakeEmbedder(), caches=caches)
    assert {h.id for h in before.similar_units("u1")} == {"u2", "u3"}
    base = caches.profiles_of(live.index)

    twin = Record(
        "unit",
        "u9",
        live.record("unit", "u1").fields
        | {"name": "Hjemmeplejen Stevns", "organisation": "Stevns"},
    )
    upsert_record(live.store, live.embedder, twin)
    delete_record(live.store, live.embedder, "person", "p3")  # u2 must be empty to go
    delete_record(live.store, live.embedder, "unit", "u2")
    after = Searcher(live.index, FakeEmbedder(), caches=caches)
    assert caches.profiles_of(live.index) is base
    similar = [h.id for h in after.similar_units("u1")]
    assert similar[0] == "u9" and "u2" not in similar
    assert after.similar_units("u9")[0].id == "u1"
    # The written unit's profile is the one a fresh base block would give it.
    row = live.index.row_of("unit:u9")
    assert row is not None
    vectors, words = after.unit_profiles.of(np.array([row]))
    fresh_vectors, fresh_words = base.profile_of(live.index, np.array([row]), {})
    np.testing.assert_allclose(vectors, fresh_vectors)
    np.testing.assert_allclose(words.toarray(), fresh_words.toarray())
    # Base rows and written rows asked for together keep the order they were asked in.
    u1 = live.index.row_of("unit:u1")
    assert u1 is not None
    mixed_vectors, mixed_words = after.unit_profiles.of(np.array([row, u1]))
    np.testing.assert_allclose(mixed_vectors[0], vectors[0])
    np.testing.assert_allclose(mixed_words[0].toarray(), words.toarray())
    width = base.words.shape[1]  # the base block's words; later ones are new columns
    u1_words = mixed_words[1].toarray()[0]
    np.testing.assert_allclose(u1_words[:width], base.words[base.rows == u1].toarray()[0])
    assert not u1_words[width:].any()
    # The organisation's name says where a unit sits, not what it does: no weight in its words.
    stevns = live.index.lexical.vocabulary["stevn"]
    assert words[0, stevns] == 0.0


def test_a_units_profile_follows_its_people_and_trials_written_since_the_base_block(
    live: Live,
) -> None:
    """A unit is also what its people know and what it has tried: adding or removing one of
    them changes the unit's profile at once, exactly as a scan of every live row for the unit's
    members gives it, while units nobody touched keep the cached profile."""
    from engine.search import SearchCaches, Searcher

    caches = SearchCaches()
    Searcher(live.index, FakeEmbedder(), caches=caches).similar_units("u1")
    base = caches.profiles_of(live.index)
    person = live.record("person", "p1")
    upsert_record(
        live.store,
        live.embedder,
        Record("person", "p9", person.fields | {"unit_id": "u2", "name": "Ny Kollega"}),
    )
    delete_record(live.store, live.embedder, "person", "p1")
    index = live.index
    after = Searcher(index, FakeEmbedder(), caches=caches)
    assert caches.profiles_of(index) is base
    assert set(after.unit_profiles.changed) == {"u1", "u2"}

    units = np.flatnonzero(index.facet_is("kind", "unit"))
    members: dict[str, list[int]] = {}
    for row in np.flatnonzero(index.alive).tolist():
        document = index.documents[row]
        if document is not None and document.kind != "unit" and document.unit_id:
            members.setdefault(document.unit_id, []).append(row)
    truth = {u: np.array(rows) for u, rows in members.items()}
    ids = [index.documents[r].id for r in units.tolist()]  # type: ignore[union-attr]
    truth.update({u: np.zeros(0, dtype=np.int64) for u in ids if u not in truth})
    expected_vectors, expected_words = base.profile_of(index, units, truth)
    vectors, words = after.unit_profiles.of(units)
    np.testing.assert_allclose(vectors, expected_vectors, atol=1e-6)
    width = expected_words.shape[1]
    np.testing.assert_allclose(words.toarray()[:, :width], expected_words.toarray(), atol=1e-6)
    # The touched units' profiles moved; the cached one of an untouched unit is served as is.
    for unit in ("u1", "u2"):
        position = ids.index(unit)
        cached = base.profiles[np.searchsorted(base.rows, units[position])]
        assert not np.allclose(vectors[position], cached)
    untouched = next(i for i, u in enumerate(ids) if u not in ("u1", "u2"))
    assert np.array_equal(
        vectors[untouched], base.profiles[np.searchsorted(base.rows, units[untouched])]
    )
