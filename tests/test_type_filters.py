"""Filters narrow, never empty: every on-topic query of every labelled set, under every type
filter, finds something, and the count beside a type equals what choosing it gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.evaluation import load_queries
from engine.results import Filters
from engine.search import Searcher
from indexer.build import Home
from indexer.live import index_data_folder
from indexer.records import KINDS
from tests.conftest import DATA, SAMPLE
from tests.fakes import FakeEmbedder
from tests.folders import snapshot_of

QUERY_SETS = sorted(DATA.glob("queries*.csv"))


@pytest.fixture(scope="module")
def sample_searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    embedder = FakeEmbedder()
    home = Home(tmp_path_factory.mktemp("sample") / "home")
    index_data_folder(SAMPLE, home, embedder)
    return Searcher(snapshot_of(home), embedder)


@pytest.mark.parametrize("path", QUERY_SETS, ids=lambda p: Path(p).stem)
def test_no_type_filter_empties_an_on_topic_answer(sample_searcher: Searcher, path: Path) -> None:
    empty = []
    for query in load_queries(path):
        if query.off_topic:
            continue
        for kind in KINDS:
            results = sample_searcher.search_by_text(query.query, Filters(kind=kind), limit=1)
            if not results.hits:
                empty.append((query.qid, kind))
    assert empty == []


@pytest.mark.parametrize("query", ["hvem kan tegnsprog", "UiPath", "vintertjeneste på vejene"])
def test_the_count_beside_a_type_is_what_choosing_it_gives(
    sample_searcher: Searcher, query: str
) -> None:
    unfiltered = sample_searcher.search_by_text(query, with_facet_counts=True)
    assert unfiltered.facet_counts is not None
    for kind in KINDS:
        chosen = sample_searcher.search_by_text(query, Filters(kind=kind), limit=500)
        assert chosen.hits, kind
        assert unfiltered.facet_counts["kind"].get(kind, 0) == chosen.total == len(chosen.hits)
        assert {h.kind for h in chosen.hits} == {kind}
