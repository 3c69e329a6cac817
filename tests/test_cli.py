"""The `tvaers` command: output shapes, Danish messages, and errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from service import cli
from tests.fakes import FakeEmbedder


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> FakeEmbedder:
    embedder = FakeEmbedder()
    monkeypatch.setattr(cli, "make_embedder", lambda settings: embedder)
    return embedder


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.main, ["--home", str(home), *args])


@pytest.fixture
def home(tmp_path: Path, mini_folder: Path) -> Path:
    home = tmp_path / "home"
    assert run(home, "index", str(mini_folder)).exit_code == 0
    return home


def test_index_reports_counts_and_what_was_embedded(tmp_path: Path, mini_folder: Path) -> None:
    result = run(tmp_path / "h", "index", str(mini_folder))
    assert result.exit_code == 0, result.output
    assert "Indekseret 8 enheder, 8 personer, 5 prøvehandlinger" in result.output
    assert "Embeddede 21 tekster; genbrugte 0 fra cachen" in result.output


def test_reindexing_unchanged_data_embeds_nothing(home: Path, mini_folder: Path) -> None:
    result = run(home, "index", str(mini_folder))
    assert "Embeddede 0 tekster; genbrugte 21 fra cachen" in result.output


def test_home_comes_from_the_environment(
    tmp_path: Path, mini_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TVAERS_HOME", str(tmp_path / "env-home"))
    result = CliRunner().invoke(cli.main, ["index", str(mini_folder)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env-home" / "index" / "CURRENT").exists()


def test_search_json_lists_hits_with_explanations(home: Path) -> None:
    result = run(home, "search", "Jens Bak", "--json", "--limit", "3")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert len(hits) <= 3
    first = hits[0]
    assert {"id", "kind", "title", "score", "organisation", "unit_id", "explanation"} <= set(first)
    assert (first["id"], first["kind"], first["unit_id"]) == ("p2", "person", "u2")
    assert first["explanation"]["matched_by"] in {"words", "both"}


def test_search_filters_by_kind(home: Path) -> None:
    hits = json.loads(run(home, "search", "MitID", "--kind", "unit", "--json").output)
    assert hits and {h["kind"] for h in hits} == {"unit"}


def test_search_prints_readable_danish(home: Path) -> None:
    result = run(home, "search", "klarsprog")
    assert "resultater for »klarsprog«" in result.output
    assert "fundet på" in result.output


def test_search_without_hits_says_so(home: Path) -> None:
    result = run(home, "search", "zyxqv", "--kind", "trial", "--sector", "stat")
    assert result.exit_code == 0
    assert "Ingen resultater for »zyxqv«." in result.output


def test_similar_json_excludes_the_unit_itself(home: Path) -> None:
    result = run(home, "similar", "u1", "--other-organisations", "--json")
    hits = json.loads(result.output)
    assert hits and all(h["id"] != "u1" and h["organisation"] != "Faxe Kommune" for h in hits)


def test_similar_unknown_unit_is_a_short_error(home: Path) -> None:
    result = run(home, "similar", "nope")
    assert result.exit_code == 1
    assert "Der findes ingen enhed med id 'nope'." in result.output
    assert "Traceback" not in result.output


def test_search_before_index_says_what_to_run(tmp_path: Path) -> None:
    result = run(tmp_path / "empty", "search", "MitID")
    assert result.exit_code == 1
    assert "tvaers index" in result.output


def test_bad_data_is_refused_with_file_line_and_column(tmp_path: Path, mini_folder: Path) -> None:
    units = mini_folder / "units.csv"
    units.write_text(units.read_text("utf-8").replace("u8,Akut", ",Akut"), "utf-8")
    result = run(tmp_path / "h", "index", str(mini_folder))
    assert result.exit_code == 1
    assert "units.csv, linje 9, kolonne 'id': id er tom" in result.output


def test_eval_json_has_metrics_per_qtype_and_ranked_hits(home: Path, tmp_path: Path) -> None:
    queries = tmp_path / "queries.csv"
    queries.write_text(
        "qid,query,kind,relevant,qtype\n"
        "a,Ali Demir,person,p4,exact\n"
        "b,borgerservise,unit,u2,typo\n"
        "c,videoopkald til ældre om natten,any,u1;t1,paraphrase\n",
        "utf-8",
    )
    result = run(home, "eval", str(queries), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report["metrics"]) == {"paraphrase", "exact", "typo", "all"}
    assert report["metrics"]["exact"]["hit@1"] == 1.0
    assert {"mrr@10", "ndcg@10", "recall@10", "hit@1"} <= set(report["metrics"]["all"])
    assert [q["qid"] for q in report["queries"]] == ["a", "b", "c"]
    assert report["queries"][0]["hits"][0] == "p4"


def test_eval_prints_a_table(home: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.csv"
    queries.write_text("qid,query,kind,relevant,qtype\na,Ali Demir,person,p4,exact\n", "utf-8")
    result = run(home, "eval", str(queries))
    assert "mrr@10" in result.output and "exact" in result.output


def test_pairing_again_embeds_nothing(tmp_path: Path, fake_model: FakeEmbedder) -> None:
    week = Path(__file__).parent.parent / "data" / "sample" / "week"
    args = ["pair", "--hosts", str(week / "hosts.csv"), "--interns", str(week / "interns.csv")]
    first = run(tmp_path / "h", *args, "--out", str(tmp_path / "a.csv"))
    assert first.exit_code == 0, first.output
    embedded = fake_model.queries_embedded
    assert embedded == 131  # 81 wishes and 50 offers, all in the query role
    second = run(
        tmp_path / "h", *args, "--locks", str(week / "locks.csv"), "--out", str(tmp_path / "b.csv")
    )
    assert second.exit_code == 0, second.output
    assert (fake_model.queries_embedded, fake_model.embedded_count) == (embedded, 0)
    assert (tmp_path / "a.csv").read_text("utf-8") != (tmp_path / "b.csv").read_text("utf-8")


def test_pairing_weights_come_from_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    week = Path(__file__).parent.parent / "data" / "sample" / "week"
    args = ["pair", "--hosts", str(week / "hosts.csv"), "--interns", str(week / "interns.csv")]
    low = json.loads(run(tmp_path / "h", *args, "--out", str(tmp_path / "a.csv"), "--json").output)
    monkeypatch.setenv("TVAERS_PAIRING_CROSS_SECTOR_BONUS", "5")
    high = json.loads(run(tmp_path / "h", *args, "--out", str(tmp_path / "b.csv"), "--json").output)
    assert high["stats"]["cross_sector_share"] > low["stats"]["cross_sector_share"]
