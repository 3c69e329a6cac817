"""The bundled labelled query sets stay true to the sample data they were written against."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.evaluation import FRESH_QTYPES, OFF_TOPIC, QTYPES, load_queries
from indexer.loading import load_data_folder

ROOT = Path(__file__).parent.parent
QUERY_SETS = ["tests/data/queries.csv", "tests/data/queries_validation.csv"]
FRESH_SETS = ["tests/data/queries_fresh_dev.csv", "tests/data/queries_fresh_test.csv"]
PREFIX_KIND = {"u": "unit", "p": "person", "t": "trial"}


@pytest.fixture(scope="module")
def sample_ids() -> dict[str, str]:
    dataset = load_data_folder(ROOT / "data" / "sample")
    return {record.id: record.kind for record in dataset.records}


@pytest.mark.parametrize("path", QUERY_SETS)
def test_every_label_names_a_sample_record_of_the_asked_kind(
    path: str, sample_ids: dict[str, str]
) -> None:
    queries = load_queries(ROOT / path)
    assert len(queries) >= 60 and len({q.qid for q in queries}) == len(queries)
    assert {q.qtype for q in queries} == set(QTYPES)
    for query in queries:
        for record_id in query.relevant:
            assert record_id in sample_ids, f"{query.qid}: {record_id} is not in data/sample"
            assert query.kind in (None, sample_ids[record_id]), f"{query.qid}: {record_id}"


def test_the_two_sets_share_no_paraphrase() -> None:
    """Names and product words may recur (there are few of them); paraphrases must not."""
    first, second = (
        {q.query.lower() for q in load_queries(ROOT / path) if q.qtype == "paraphrase"}
        for path in QUERY_SETS
    )
    assert first and second and not first & second


@pytest.mark.parametrize("path", FRESH_SETS)
def test_each_half_of_the_fresh_set_holds_every_query_type_and_off_topic_queries(
    path: str, sample_ids: dict[str, str]
) -> None:
    queries = load_queries(ROOT / path)
    assert len(queries) >= 125 and len({q.qid for q in queries}) == len(queries)
    assert {q.qtype for q in queries} >= {*FRESH_QTYPES, OFF_TOPIC} - {"synonym"}
    assert sum(q.off_topic for q in queries) >= 20
    assert {q.kind for q in queries} == {None, "unit", "person", "trial"}
    for query in queries:
        assert query.off_topic == (not query.relevant), query.qid
        for record_id in query.relevant:
            assert record_id in sample_ids, f"{query.qid}: {record_id} is not in data/sample"
            assert query.kind in (None, sample_ids[record_id]), f"{query.qid}: {record_id}"


def test_the_fresh_set_was_split_once_into_halves_that_share_no_query() -> None:
    dev, test = (load_queries(ROOT / path) for path in FRESH_SETS)
    assert not {q.qid for q in dev} & {q.qid for q in test}
    assert not {q.query.lower() for q in dev} & {q.query.lower() for q in test}
