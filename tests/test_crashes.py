"""kill -9 at every step loses nothing and needs no one: `tvaers index`, `tvaers reindex` and a
stream of API writes are killed before and after each commit and during a snapshot swap; the next
start must serve every acknowledged write, half of nothing, and no trace of an erased record."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from indexer.build import Home
from indexer.records import documents_from_records
from indexer.snapshots import current_name
from tests.conftest_service import PEOPLE, UNITS, write_csv
from tests.folders import assert_no_traces_soon

pytest_plugins = ("tests.conftest_service",)
ROOT = Path(__file__).resolve().parent.parent
KILLED = -9
POINTS = [
    "store:before-commit",
    "store:after-commit",
    "snapshot:written",
    "snapshot:before-swap",
    "snapshot:after-swap",
]


def run_child(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.crash_child", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def restarted(home: Path, app_factory: Callable[..., Any]) -> TestClient:
    """The next start, as `tvaers serve` does it: no manual step allowed."""
    return TestClient(app_factory(home))


def assert_healed(client: TestClient, home: Path) -> None:
    """The index shows exactly the database, and only one snapshot is left on disk."""
    state = client.app.state.tvaers  # type: ignore[attr-defined]
    index = state.live.current
    expected = {d.key: d for d in documents_from_records(state.store.all_records())}
    assert {d.key: d for d in index.live_documents()} == expected
    assert index.revision == state.store.head().revision
    index_dir = Home(home).index_dir
    names = sorted(p.name for p in index_dir.iterdir())
    assert names == [".lock", "CURRENT", current_name(index_dir)]
    assert not list(home.glob("index.*"))


def hits(client: TestClient, query: str) -> list[str]:
    found = client.get("/api/search", params={"q": query, "limit": 5}).json()["hits"]
    return [h["id"] for h in found if query.lower() in str(h).lower()]


@pytest.mark.parametrize("point", POINTS)
def test_index_killed_at_each_step(
    point: str, home: Path, tmp_path: Path, app_factory: Callable[..., Any]
) -> None:
    """`tvaers index` of a folder without Ingeborg Skovsgaard (a GDPR removal)."""
    folder = tmp_path / "data"
    folder.mkdir()
    write_csv(folder / "units.csv", UNITS)
    write_csv(folder / "people.csv", [p for p in PEOPLE if p["id"] != "p001"])

    child = run_child(point, "1", str(home), "index", str(folder))
    assert child.returncode == KILLED, child.stdout + child.stderr

    committed = point != "store:before-commit"
    with restarted(home, app_factory) as client:
        assert_healed(client, home)
        if committed:  # before searching for her: a search is counted (search gaps) anew
            assert_no_traces_soon(home, [b"skovsgaard"])
        assert bool(hits(client, "Skovsgaard")) is not committed


@pytest.mark.parametrize("point", POINTS)
def test_reindex_killed_at_each_step(
    point: str, home: Path, app_factory: Callable[..., Any]
) -> None:
    child = run_child(point, "1", str(home), "reindex")
    assert child.returncode == KILLED, child.stdout + child.stderr
    with restarted(home, app_factory) as client:
        assert_healed(client, home)
        assert hits(client, "Skovsgaard") == ["p001"]


@pytest.mark.parametrize(
    ("point", "hit"),
    [
        ("store:before-commit", 3),
        ("store:after-commit", 4),  # the first delete has committed, unanswered
        ("store:after-commit", 7),
        ("live:before-apply", 6),
        ("snapshot:written", 1),
        ("snapshot:before-swap", 1),
        ("snapshot:after-swap", 1),
    ],
)
def test_write_stream_killed_at_each_step(
    point: str, hit: int, home: Path, app_factory: Callable[..., Any]
) -> None:
    child = run_child(point, str(hit), str(home), "writes", "12")
    assert child.returncode == KILLED, child.stdout + child.stderr
    acked = [json.loads(line[4:]) for line in child.stdout.splitlines() if line.startswith("ack ")]
    assert acked, child.stderr

    # The write in flight when the kill came may or may not have landed; every earlier one must.
    in_flight = {IN_FLIGHT[len(acked) % 4](len(acked))}
    with restarted(home, app_factory) as client:
        assert_healed(client, home)
        deleted = {a["id"] for a in acked if a["op"] == "delete"}
        latest = {a["id"]: a for a in acked}
        for record_id, ack in latest.items():
            if record_id in in_flight:
                continue
            if ack["op"] == "unit":
                assert "u001" in hits(client, ack["word"])
            else:
                expected = [] if record_id in deleted else [record_id]
                assert hits(client, ack["word"]) == expected, ack
        state = client.app.state.tvaers  # type: ignore[attr-defined]
        for record_id in deleted:
            assert state.store.get("person", record_id) is None
        if deleted:
            assert_no_traces_soon(home, [f"kamma nyborg{sorted(deleted)[0][2:]}".encode()])


# What the i-th write of the child's stream touches (create, update, unit rename, delete).
IN_FLIGHT: list[Callable[[int], str]] = [
    lambda i: f"px{i}",
    lambda i: f"px{i - 1}",
    lambda i: "u001",
    lambda i: f"px{i - 3}",
]
