"""`tvaers serve` (registered by service.cli) and the lock around reads and writes."""

from __future__ import annotations

import socket
import subprocess
import sys
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


TVAERS = str(Path(sys.executable).parent / "tvaers")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _close_socket(app: FastAPI, sock: socket.socket, options: dict[str, Any]) -> None:
    sock.close()


def _group(home: Path, api_key: str | None = None) -> click.Group:
    @click.group()
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        ctx.obj = _Context(home, api_key)

    cli.add_command(serve)
    return cli


def test_serve_prints_the_url(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}

    def fake_run(app: FastAPI, sock: socket.socket, options: dict[str, Any]) -> None:
        started.update(app=app, address=sock.getsockname(), options=options)
        sock.close()

    monkeypatch.setattr("service.serve_cli.run_server", fake_run)
    port = free_port()
    result = CliRunner().invoke(_group(home), ["serve", "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert f"tvaers kører på http://127.0.0.1:{port}/" in result.output
    assert "Skrivning er slået fra" not in result.output  # the test home has writing keys
    assert started["address"] == ("127.0.0.1", port)
    assert started["options"]["proxy_headers"] is True


def test_serve_passes_the_proxy_options_to_uvicorn(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, Any] = {}

    def fake_run(app: FastAPI, sock: socket.socket, options: dict[str, Any]) -> None:
        started.update(options)
        sock.close()

    monkeypatch.setattr("service.serve_cli.run_server", fake_run)
    args = ["serve", "--port", str(free_port()), "--forwarded-allow-ips", "10.0.0.5"]
    result = CliRunner().invoke(_group(home), args)
    assert result.exit_code == 0, result.output
    assert started["forwarded_allow_ips"] == "10.0.0.5" and started["proxy_headers"] is True
    result = CliRunner().invoke(_group(home), ["serve", "--port", "0", "--no-proxy-headers"])
    assert result.exit_code == 0, result.output
    assert started["proxy_headers"] is False


def test_a_port_in_use_is_one_danish_line_before_anything_runs(home: Path) -> None:
    """A real `tvaers serve` against a port another socket listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [TVAERS, "--home", str(home), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert done.stdout == ""  # nothing claims to be running
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"Port {port} på 127.0.0.1 bruges allerede" in lines[0]
    assert f"make run PORT={port + 1}" in lines[0]


def test_serve_says_writes_are_off_without_a_writing_key(
    home_without_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TVAERS_LOCAL_SIGN_IN", "false")  # else the local admin could write
    monkeypatch.setattr("service.serve_cli.run_server", _close_socket)
    result = CliRunner().invoke(_group(home_without_keys), ["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "Skrivning er slået fra" in result.output and "tvaers keys create" in result.output


def test_serve_refuses_the_old_shared_key(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TVAERS_API_KEY is replaced by named keys: a value left there stops the service."""
    monkeypatch.setattr("service.serve_cli.run_server", _close_socket)
    result = CliRunner().invoke(_group(home, "hemmelig"), ["serve", "--port", "0"])
    assert result.exit_code == 1
    assert "TVAERS_API_KEY bruges ikke længere" in result.output
    assert "tvaers keys create" in result.output
    empty = CliRunner().invoke(
        _group(home, ""), ["serve", "--port", "0"]
    )  # set but empty: as if unset
    assert empty.exit_code == 0, empty.output


def test_serve_refuses_without_index(tmp_path: Path) -> None:
    result = CliRunner().invoke(_group(tmp_path / "tom"), ["serve", "--port", "0"])
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
