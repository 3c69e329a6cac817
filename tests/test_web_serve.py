"""`tvaers serve` (registered by service.cli) and the lock around reads and writes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from fastapi import FastAPI

from engine.results import Filters
from indexer.embedders import Embedder
from indexer.records import Record
from service.config import Settings
from service.serve_cli import serve
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service",)


class _Context:
    def __init__(self, home: Path, api_key: str | None = None) -> None:
        self.settings = Settings(home=home, api_key=api_key)  # type: ignore[arg-type]

    def embedder(self) -> Embedder:
        return FakeEmbedder()


def _group(home: Path, api_key: str | None = None) -> click.Group:
    @click.group()
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        ctx.obj = _Context(home, api_key)

    cli.add_command(serve)
    return cli


def test_serve_prints_the_url(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}

    def fake_run(app: FastAPI, host: str, port: int, log_level: str) -> None:
        started.update(app=app, host=host, port=port)

    monkeypatch.setattr("uvicorn.run", fake_run)
    result = CliRunner().invoke(_group(home), ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "tvaers kører på http://127.0.0.1:8123/" in result.output
    assert "Skrivning er slået fra" not in result.output  # the test home has writing keys
    assert started["host"] == "127.0.0.1" and started["port"] == 8123


def test_serve_says_writes_are_off_without_a_writing_key(
    home_without_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
    result = CliRunner().invoke(_group(home_without_keys), ["serve"])
    assert result.exit_code == 0, result.output
    assert "Skrivning er slået fra" in result.output and "tvaers keys create" in result.output


def test_serve_refuses_the_old_shared_key(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TVAERS_API_KEY is replaced by named keys: a value left there stops the service."""
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
    result = CliRunner().invoke(_group(home, "hemmelig"), ["serve"])
    assert result.exit_code == 1
    assert "TVAERS_API_KEY bruges ikke længere" in result.output
    assert "tvaers keys create" in result.output
    empty = CliRunner().invoke(_group(home, ""), ["serve"])  # set but empty: as if unset
    assert empty.exit_code == 0, empty.output


def test_serve_refuses_without_index(tmp_path: Path) -> None:
    result = CliRunner().invoke(_group(tmp_path / "tom"), ["serve"])
    assert result.exit_code == 1
    assert "Der er intet indeks" in result.output and "tvaers index" in result.output
    assert "Traceback" not in result.output


def test_reads_and_writes_in_parallel(app: FastAPI) -> None:
    state = app.state.tvaers

    def search(n: int) -> int:
        with state.reading() as searcher:
            return searcher.search_by_text(f"skærmbesøg {n}", Filters(), limit=5).total

    def write(n: int) -> None:
        fields = {
            "id": f"p9{n}",
            "name": f"Kollega {n}",
            "title": "",
            "unit_id": "u001",
            "expertise": f"emne{n}",
            "email": "",
        }
        state.save(Record("person", f"p9{n}", fields))

    with ThreadPoolExecutor(max_workers=8) as pool:
        searches = [pool.submit(search, n) for n in range(40)]
        writes = [pool.submit(write, n) for n in range(8)]
        assert all(f.result() >= 1 for f in searches)
        for f in writes:
            f.result()
    with state.reading() as searcher:
        assert searcher.search_by_text("emne7", limit=3).hits[0].id == "p97"
