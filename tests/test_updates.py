"""Single-record upsert and delete: the store changes, the index follows, embeddings are reused
where the text is unchanged and forgotten where it is gone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from indexer.build import Home, index_data_folder
from indexer.errors import DataError, NotFoundError
from indexer.index import SearchIndex
from indexer.records import REQUIRED_COLUMNS, Document, Kind, Record, documents_from_records
from indexer.store import Store
from indexer.updates import delete_record, upsert_record
from tests.fakes import FakeEmbedder
from tests.folders import ROWS, write_data_folder


@dataclass
class Live:
    """A built home opened for writes, as the service holds it."""

    store: Store
    index: SearchIndex
    embedder: FakeEmbedder

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
        return self.store.all_records(), list(self.index.documents), self.index.vectors.tobytes()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    home = Home(tmp_path / "home")
    index_data_folder(write_data_folder(tmp_path / "data"), home, FakeEmbedder())
    store = home.open_store()
    try:
        yield Live(store, SearchIndex.load(home.index_dir), FakeEmbedder())
    finally:
        store.close()


def assert_index_matches_store(live: Live) -> None:
    """What a full rebuild from the store would give: same documents, vectors and fingerprint."""
    expected = {d.key: d for d in documents_from_records(live.store.all_records())}
    assert {d.key: d for d in live.index.documents} == expected
    fresh = FakeEmbedder().embed_passages([d.text for d in live.index.documents])
    np.testing.assert_array_equal(live.index.vectors, fresh)
    assert live.index.meta.store_fingerprint == live.store.fingerprint()
    assert live.index.meta.count == len(expected)
    assert live.index.dense.ntotal == len(expected)


def test_upsert_of_a_unit_re_embeds_its_peoples_documents(live: Live) -> None:
    unchanged = live.document("person:p3").text

    upsert_record(
        live.store, live.index, live.embedder, live.record("unit", "u1", name="Nattevagten")
    )

    people = [live.document("person:p1"), live.document("person:p2")]
    assert all("Nattevagten" in p.text and p.unit_name == "Nattevagten" for p in people)
    assert sorted(live.embedded_texts()) == sorted(
        [live.document(k).text for k in ("unit:u1", "person:p1", "person:p2", "trial:t1")]
    )
    assert unchanged not in live.embedded_texts()
    assert_index_matches_store(live)


def test_upsert_of_a_unit_forgets_the_vectors_of_replaced_texts(live: Live) -> None:
    old = live.document("person:p1")
    assert live.is_cached(old)
    upsert_record(
        live.store, live.index, live.embedder, live.record("unit", "u1", name="Nattevagten")
    )
    assert not live.is_cached(old)
    assert live.is_cached(live.document("person:p1"))


def test_upsert_of_an_unchanged_record_embeds_nothing(live: Live) -> None:
    upsert_record(live.store, live.index, live.embedder, live.record("person", "p2"))
    assert live.embedder.calls == []
    assert_index_matches_store(live)


def test_upsert_of_a_new_person_embeds_one_text(live: Live) -> None:
    fields = dict(zip(REQUIRED_COLUMNS["person"], ROWS["person"][2], strict=True))
    person = Record("person", "p4", fields | {"id": "p4", "name": "Ida Ølgaard"})

    upsert_record(live.store, live.index, live.embedder, person)

    assert live.embedded_texts() == [live.document("person:p4").text]
    assert live.document("person:p4").unit_name == "Borgerservice Faxe"
    assert_index_matches_store(live)


def test_upsert_of_a_person_in_a_missing_unit_is_refused(live: Live) -> None:
    before = live.snapshot()
    with pytest.raises(DataError) as excinfo:
        upsert_record(
            live.store, live.index, live.embedder, live.record("person", "p1", unit_id="u9")
        )
    [problem] = excinfo.value.problems
    assert (problem.file, problem.line, problem.column) == ("person", 1, "unit_id")
    assert "unit_id 'u9' findes ikke i units" in problem.message
    assert live.snapshot() == before
    assert live.embedder.calls == []


def test_upsert_with_an_invalid_sector_is_refused(live: Live) -> None:
    before = live.snapshot()
    with pytest.raises(DataError) as excinfo:
        upsert_record(live.store, live.index, live.embedder, live.record("unit", "u2", sector="by"))
    [problem] = excinfo.value.problems
    assert (problem.file, problem.column) == ("unit", "sector")
    assert "ukendt sektor 'by'" in problem.message
    assert live.snapshot() == before


def test_delete_of_a_person_removes_it_from_index_and_store(live: Live) -> None:
    delete_record(live.store, live.index, "person", "p1")

    assert live.index.document("person:p1") is None
    assert live.store.get("person", "p1") is None
    assert live.index.lexical.document_frequency("oestergaard") == 0
    assert_index_matches_store(live)


def test_delete_of_a_person_forgets_its_cached_vector(live: Live) -> None:
    person = live.document("person:p1")
    assert live.is_cached(person)
    delete_record(live.store, live.index, "person", "p1")
    assert not live.is_cached(person)
    assert live.is_cached(live.document("person:p2"))


def test_delete_of_a_unit_with_people_is_refused(live: Live) -> None:
    before = live.snapshot()
    with pytest.raises(DataError) as excinfo:
        delete_record(live.store, live.index, "unit", "u1")
    [problem] = excinfo.value.problems
    assert (problem.file, problem.line, problem.column) == ("unit", None, "id")
    assert "enheden har stadig 3 personer eller prøvehandlinger" in problem.message
    assert live.snapshot() == before


def test_delete_of_an_emptied_unit_is_allowed(live: Live) -> None:
    delete_record(live.store, live.index, "trial", "t2")
    delete_record(live.store, live.index, "unit", "u3")

    assert live.index.document("unit:u3") is None
    assert_index_matches_store(live)


def test_delete_of_a_missing_record_raises_not_found(live: Live) -> None:
    with pytest.raises(NotFoundError, match="Der findes ingen person med id 'p9'"):
        delete_record(live.store, live.index, "person", "p9")


def test_delete_keeps_a_vector_another_document_still_uses(live: Live) -> None:
    twin = live.record("trial", "t1", id="t3")
    upsert_record(live.store, live.index, live.embedder, Record("trial", "t3", twin.fields))
    assert live.embedder.calls == []  # same text as t1: served from the cache

    delete_record(live.store, live.index, "trial", "t3")

    assert live.is_cached(live.document("trial:t1"))


def test_deleting_a_person_leaves_no_term_of_their_name_in_the_vocabulary(
    mini_home: Home, fake_embedder: FakeEmbedder
) -> None:
    """GDPR erasure: the saved vocabulary must not keep a deleted person's name."""
    from indexer.index import SearchIndex
    from indexer.updates import delete_record

    index = SearchIndex.load(mini_home.index_dir)
    store = mini_home.open_store()
    delete_record(store, index, "person", "p8")  # Yasmin Øberg, the only "yasmin"/"oeberg"
    index.save(mini_home.index_dir)
    vocabulary = (mini_home.index_dir / "vocabulary.txt").read_text("utf-8").split("\n")
    assert "yasmin" not in vocabulary and "oeberg" not in vocabulary
    assert "spiserobot" in vocabulary  # terms other documents hold stay
