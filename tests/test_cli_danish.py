"""The `tvaers` command speaks Danish in click's own words too (help, usage, errors), and
`tvaers pair hosts.csv interns.csv`, as the pairing page suggests, works."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from service import cli
from tests.fakes import FakeEmbedder

WEEK = Path(__file__).resolve().parents[1] / "data" / "sample" / "week"
ENGLISH = (
    "Usage:",
    "Options:",
    "Commands:",
    "Show this message",
    "[OPTIONS]",
    "default:",
    "Error:",
)


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> FakeEmbedder:
    embedder = FakeEmbedder()
    monkeypatch.setattr(cli, "make_embedder", lambda settings: embedder)
    return embedder


def run(tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli.main, ["--home", str(tmp_path / "home"), *args], prog_name="tvaers"
    )


def _commands() -> list[list[str]]:
    found: list[list[str]] = [[]]
    for name, command in cli.main.commands.items():
        found.append([name])
        found += [[name, sub] for sub in getattr(command, "commands", {})]
    return found


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "tvaers")
def test_every_help_page_is_danish(tmp_path: Path, command: list[str]) -> None:
    result = run(tmp_path, *command, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Brug: tvaers")
    assert "Vis denne hjælp og afslut." in result.output
    for english in ENGLISH:
        assert english not in result.output, english


def test_a_missing_argument_is_said_in_danish(tmp_path: Path) -> None:
    result = run(tmp_path, "search")
    assert result.exit_code == 2
    assert "Fejl: Mangler argumentet 'QUERY'." in result.output
    assert "Skriv 'tvaers search --help' for at få hjælp." in result.output


def test_a_bad_value_and_an_unknown_command_are_said_in_danish(tmp_path: Path) -> None:
    limit = run(tmp_path, "search", "x", "--limit", "mange")
    assert "Fejl: Ugyldig værdi for '--limit': 'mange' er ikke et gyldigt tal." in limit.output
    kind = run(tmp_path, "search", "x", "--kind", "hund")
    assert "'hund' er ikke en af 'unit', 'person', 'trial'." in kind.output
    typo = run(tmp_path, "serch", "x")
    assert "Fejl: Kommandoen 'serch' findes ikke." in typo.output and "Mente du" in typo.output
    folder = run(tmp_path, "index", str(tmp_path / "ingen"))
    assert "Mappe" in folder.output and "findes ikke." in folder.output


def test_pair_takes_the_files_in_order_as_the_page_suggests(tmp_path: Path) -> None:
    result = run(tmp_path, "pair", str(WEEK / "hosts.csv"), str(WEEK / "interns.csv"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 81 and all(" → h" in line for line in lines)
    assert "81 af 81 praktikanter har fået plads" in result.stderr
    assert "gem det med --out FIL" in result.stderr


def test_pair_in_order_with_locks_and_a_file(tmp_path: Path) -> None:
    out = tmp_path / "forslag.csv"
    week = [str(WEEK / name) for name in ("hosts.csv", "interns.csv", "locks.csv")]
    result = run(tmp_path, "pair", *week, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and out.exists()
    assert f"forslaget er skrevet til {out}" in result.stderr


def test_pair_refuses_files_both_ways_or_none(tmp_path: Path) -> None:
    hosts, interns = str(WEEK / "hosts.csv"), str(WEEK / "interns.csv")
    both = run(tmp_path, "pair", hosts, interns, "--hosts", hosts)
    assert both.exit_code == 2 and "enten i rækkefølge eller med --hosts" in both.output
    none = run(tmp_path, "pair")
    assert none.exit_code == 2 and "mangler værter og praktikanter" in none.output
    four = run(tmp_path, "pair", hosts, interns, hosts, interns)
    assert four.exit_code == 2 and "højst tre filer" in four.output
