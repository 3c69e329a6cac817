"""Piece vectors: a document's sentences after the first, embedded with its title, cached in one
blob with the document's vector, kept aligned with the index's rows, and raising a row's
similarity toward its best piece's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.build import Home, embed_missing, vectors_of
from indexer.caching import CachedEmbedder
from indexer.index import FORMAT_VERSION, SearchIndex
from indexer.live import index_data_folder
from indexer.loading import load_data_folder
from indexer.pieces import BUNDLED_VECTORS, Pieces, save_bundle, split_blobs
from indexer.records import (
    MAX_PIECES,
    Document,
    content_hash,
    documents_from_records,
    text_pieces,
)
from indexer.snapshots import current_meta, current_name
from tests.fakes import FakeEmbedder, passages
from tests.folders import snapshot_of, write_data_folder

DIMENSION = 8


def test_pieces_are_the_sentences_after_the_first_with_the_title_before_them() -> None:
    text = (
        "Borgerservice Haslev. Faxe Kommune. Borgerservice. Vi hjælper med pas og kørekort. "
        "Hver tirsdag har vi drop-in med MitID-hjælp til ældre! Kort."
    )
    assert text_pieces(text) == [
        "Borgerservice Haslev. Vi hjælper med pas og kørekort.",
        "Borgerservice Haslev. Hver tirsdag har vi drop-in med MitID-hjælp til ældre!",
    ]


def test_a_text_of_one_sentence_has_no_pieces_and_a_long_one_keeps_the_first_few() -> None:
    assert text_pieces("Jens Hansen, vejleder, Jobcenter (Faxe Kommune). MitID") == []
    long = "Titel. " + " ".join(f"Sætning nummer {i} om noget." for i in range(20))
    pieces = text_pieces(long)
    assert len(pieces) == MAX_PIECES
    assert pieces[0] == "Titel. Sætning nummer 1 om noget."


def test_a_text_is_embedded_with_its_pieces_in_one_call_and_cached_as_one_blob(
    tmp_path: Path,
) -> None:
    store = Home(tmp_path).open_store()
    embedder = FakeEmbedder(dimension=DIMENSION)
    text = "Natpleje. Skærmbesøg om natten hos ældre borgere. Sensorer i sengen varsler fald."
    try:
        fresh = embed_missing({content_hash(text): text}, embedder, store, cache=True)
        assert embedder.calls == [[text, *text_pieces(text)]]
        blob = store.cached_vectors(embedder.model_id, [content_hash(text)])[content_hash(text)]
        np.testing.assert_array_equal(blob, fresh[content_hash(text)])
        expected = FakeEmbedder(dimension=DIMENSION).embed_passages([text, *text_pieces(text)])
        np.testing.assert_array_equal(blob.reshape(-1, DIMENSION), expected)
        # Seen whole: nothing is embedded again, and a free text's embedder reads its vector.
        assert embed_missing({content_hash(text): text}, embedder, store) == {}
        cached = CachedEmbedder(embedder, store).embed_passages([text])
        np.testing.assert_array_equal(cached, expected[:1])
        assert len(embedder.calls) == 1
    finally:
        store.close()


def test_a_cached_vector_without_its_pieces_is_embedded_again_and_replaced(
    tmp_path: Path,
) -> None:
    """A cache from before pieces (or a free text's, cached by `CachedEmbedder`) upgrades
    itself, also on a write that does not cache as it embeds."""
    store = Home(tmp_path).open_store()
    embedder = FakeEmbedder(dimension=DIMENSION)
    text = "Natpleje i Haslev. Skærmbesøg om natten hos ældre. Sensorer varsler fald i sengen."
    digest = content_hash(text)
    try:
        CachedEmbedder(embedder, store).embed_passages([text])
        assert store.cached_sizes(embedder.model_id, [digest]) == {digest: DIMENSION}
        embed_missing({digest: text}, embedder, store)
        assert store.cached_sizes(embedder.model_id, [digest]) == {digest: 3 * DIMENSION}
    finally:
        store.close()


def test_vectors_of_splits_blobs_into_document_vectors_and_pieces(tmp_path: Path) -> None:
    store = Home(tmp_path).open_store()
    embedder = FakeEmbedder(dimension=DIMENSION)
    documents = [
        _document("a", "Natpleje i Haslev. Skærmbesøg om natten hos ældre. Sensorer varsler fald."),
        _document("b", "Jens Hansen, vejleder, Jobcenter (Faxe Kommune). MitID"),
    ]
    try:
        vectors, pieces, embedded = vectors_of(documents, embedder, store)
        again, pieces_again, embedded_again = vectors_of(documents, embedder, store)
    finally:
        store.close()
    assert (embedded, embedded_again) == (2, 0)
    reference = FakeEmbedder(dimension=DIMENSION)
    np.testing.assert_array_equal(vectors, reference.embed_passages([d.text for d in documents]))
    np.testing.assert_array_equal(pieces.counts, [2, 0])
    np.testing.assert_array_equal(
        pieces.vectors, reference.embed_passages(text_pieces(documents[0].text))
    )
    np.testing.assert_array_equal(again, vectors)
    np.testing.assert_array_equal(pieces_again.vectors, pieces.vectors)


# The index keeps pieces aligned with rows -----------------------------------------------------

operations = st.lists(
    st.tuples(
        st.lists(st.integers(0, 11), max_size=4),  # keys removed (upserts remove too)
        st.lists(st.tuples(st.integers(0, 11), st.integers(0, 3)), max_size=4),  # (key, pieces)
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=40, deadline=None)
@given(
    first=st.lists(st.integers(0, 3), min_size=1, max_size=8),
    changes=operations,
    seed=st.integers(0, 2**16),
    share=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_raised_similarity_through_writes_equals_a_fresh_build_and_brute_force(
    tmp_path_factory: pytest.TempPathFactory,
    first: list[int],
    changes: list[tuple[list[int], list[tuple[int, int]]]],
    seed: int,
    share: float,
) -> None:
    random = np.random.default_rng(seed)
    state: dict[str, tuple[Document, np.ndarray, np.ndarray]] = {}

    def made(key: int, count: int) -> tuple[Document, np.ndarray, np.ndarray]:
        rows = _unit_rows(random, 1 + count)
        return _document(f"u{key}", f"Enhed {key}. {random.integers(10**9)}"), rows[0], rows[1:]

    initial = [made(k, c) for k, c in enumerate(first)]
    index = _built(initial)
    state.update({d.key: (d, v, p) for d, v, p in initial})
    for removed, added in changes:
        new = {f"unit:u{k}": made(k, c) for k, c in added}
        gone = [f"unit:u{k}" for k in removed]
        for key in gone:
            state.pop(key, None)
        state.update(new)
        items = list(new.values())
        index = index.applied(
            gone,
            [d for d, _, _ in items],
            np.array([v for _, v, _ in items]).reshape(-1, DIMENSION),
            revision=index.revision + 1,
            add_pieces=_pieces_of(items),
        )
    query = _unit_rows(random, 1)[0]
    expected = {key: _brute_force(v, p, query, share) for key, (_, v, p) in state.items()}
    rebuilt = _built(list(state.values()))
    for version in (index, index.compacted(), rebuilt):
        live = np.flatnonzero(version.alive)
        keys = [version.documents[r].key for r in live]  # type: ignore[union-attr]
        got = version.similarity(live, query, share)
        assert dict(zip(keys, got.tolist(), strict=True)).keys() == expected.keys()
        for key, value in zip(keys, got.tolist(), strict=True):
            assert abs(value - expected[key]) < 1e-5
    folder = tmp_path_factory.mktemp("index")
    index.save(folder / "saved")
    loaded = SearchIndex.load(folder / "saved")
    live = np.flatnonzero(loaded.alive)
    np.testing.assert_allclose(
        loaded.similarity(live, query, share), index.similarity(live, query, share), atol=1e-6
    )
    # Erased rows' pieces never reach the disk: only live rows' are saved.
    saved = np.load(folder / "saved" / "pieces.npy")
    assert len(saved) == sum(len(p) for _, _, p in state.values())


def test_a_row_without_pieces_keeps_its_cosine_and_a_piece_never_lowers_it() -> None:
    random = np.random.default_rng(7)
    items = [
        (_document(f"u{i}", f"Enhed {i}."), *_split(_unit_rows(random, 1 + i))) for i in range(4)
    ]
    index = _built(items)
    query = _unit_rows(random, 1)[0]
    rows = np.arange(4)
    cosine = index.vectors[rows] @ query
    raised = index.similarity(rows, query, 0.5)
    assert raised[0] == cosine[0]
    assert (raised >= cosine - 1e-7).all()


def _split(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return rows[0], rows[1:]


def _unit_rows(random: np.random.Generator, count: int) -> np.ndarray:
    rows = random.normal(size=(count, DIMENSION)).astype(np.float32)
    normalised: np.ndarray = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return normalised


def _brute_force(vector: np.ndarray, pieces: np.ndarray, query: np.ndarray, share: float) -> float:
    cosine = float(vector @ query)
    best = max((float(p @ query) for p in pieces), default=cosine)
    return cosine + share * max(0.0, best - cosine)


def _pieces_of(items: list[tuple[Document, np.ndarray, np.ndarray]]) -> Pieces:
    _, pieces = split_blobs([np.vstack([v[None, :], p]) for _, v, p in items], DIMENSION)
    return pieces


def _built(items: list[tuple[Document, np.ndarray, np.ndarray]]) -> SearchIndex:
    vectors = np.array([v for _, v, _ in items]).reshape(-1, DIMENSION)
    return SearchIndex.build(
        [d for d, _, _ in items], vectors, model_id="fake/hashing@1", pieces=_pieces_of(items)
    )


def _document(id_: str, text: str) -> Document:
    return Document(
        kind="unit",
        id=id_,
        title=text.split(".")[0],
        text=text,
        body=text,
        organisation="Faxe Kommune",
        sector="kommune",
        area="Ældre",
    )


def test_tvaers_index_rebuilds_a_snapshot_of_an_older_format_and_embeds_the_missing_pieces(
    tmp_path: Path,
) -> None:
    """An index and cache from before pieces: the next `tvaers index` of the same folder gives
    every text its pieces and writes a snapshot of today's format."""
    folder = write_data_folder(tmp_path / "data")
    home = Home(tmp_path / "home")
    index_data_folder(folder, home, FakeEmbedder())
    store = home.open_store()
    texts = {d.content_hash: d.text for d in documents_from_records(store.all_records())}
    try:
        store.cache_vectors(  # as a cache from before pieces held them: one vector per text
            FakeEmbedder().model_id,
            {h: v[:64] for h, v in store.cached_vectors(FakeEmbedder().model_id, texts).items()},
        )
    finally:
        store.close()
    meta_path = home.index_dir / current_name(home.index_dir) / "meta.json"
    old = meta_path.read_text().replace('"format_version": 4', '"format_version": 3')
    meta_path.write_text(old)
    embedder = FakeEmbedder()
    index_data_folder(folder, home, embedder)
    with_pieces = [t for t in texts.values() if text_pieces(t)]
    assert sorted(t for call in embedder.calls for t in call) == sorted(passages(with_pieces))
    assert current_meta(home.index_dir).format_version == FORMAT_VERSION  # type: ignore[union-attr]
    assert snapshot_of(home).piece_vectors(np.arange(len(texts))).counts.sum() > 0


def test_a_data_folder_that_ships_its_vectors_is_indexed_without_embedding(
    tmp_path: Path,
) -> None:
    """As data/sample ships `vectors.npz`: a fresh home indexes it embedding nothing; a bundle
    of another model is ignored."""
    folder = write_data_folder(tmp_path / "data")
    texts = [d.text for d in documents_from_records(load_data_folder(folder).records)]
    made = FakeEmbedder()
    blobs = {content_hash(t): made.embed_passages([t, *text_pieces(t)]).reshape(-1) for t in texts}
    save_bundle(folder / BUNDLED_VECTORS, made.model_id, blobs)
    embedder = FakeEmbedder()
    report = index_data_folder(folder, Home(tmp_path / "home"), embedder)
    assert (embedder.calls, report.embedded) == ([], 0)
    other = FakeEmbedder(model_id="fake/other@2")
    index_data_folder(folder, Home(tmp_path / "other"), other)
    assert sorted(t for call in other.calls for t in call) == sorted(passages(texts))
