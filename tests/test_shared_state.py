"""What one process keeps for others lives in the database: two replicas on one database (their
own home folders, as `tvaers serve --workers 2` or two machines) see each other's changes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from indexer.build import Home
from indexer.live import index_data_folder
from service.api.state import ServiceState
from tests.conftest_service import create_key, make_app, write_data_folder
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service",)

SEEN_WITHIN_S = 1.0


@pytest.fixture(params=["sqlite", "postgresql"])
def replicas(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[TestClient, TestClient, dict[str, str]]]:
    """Two apps with their own home folders on one database, and an admin's header."""
    first, second = tmp_path / "replica-1", tmp_path / "replica-2"
    if request.param == "sqlite":
        url = f"sqlite:///{first / 'tvaers.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    index_data_folder(write_data_folder(tmp_path / "data"), Home(first, url), FakeEmbedder())
    admin = create_key(first, "admin", database_url=url)
    with ExitStack() as stack:
        one = stack.enter_context(TestClient(make_app(first, database_url=url)))
        other = stack.enter_context(TestClient(make_app(second, database_url=url)))
        yield one, other, admin


def _state(client: TestClient) -> ServiceState:
    state: ServiceState = client.app.state.tvaers  # type: ignore[attr-defined]
    return state


def _within(seconds: float, condition: Callable[[], bool]) -> bool:
    """Polls `condition` until it holds or the deadline passes (no fixed sleep)."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


def test_a_proposal_made_on_one_replica_is_downloaded_and_deleted_on_the_other(
    replicas: tuple[TestClient, TestClient, dict[str, str]],
    week_files: Callable[..., dict[str, Any]],
) -> None:
    one, other, admin = replicas
    made = one.post("/api/pairings", files=week_files("hosts", "interns"), headers=admin)
    assert made.status_code == 200, made.text
    download = f"/api/pairings/{made.json()['id']}/download"

    assert other.get(download, headers=admin).status_code == 200
    assert other.delete(f"/api/pairings/{made.json()['id']}", headers=admin).status_code == 200
    assert one.get(download, headers=admin).status_code == 404


def test_the_admins_synonyms_saved_on_one_replica_apply_on_the_other_within_a_second(
    replicas: tuple[TestClient, TestClient, dict[str, str]],
) -> None:
    one, other, admin = replicas
    assert _state(other).synonyms.current().expand(["xbs"]) == {}
    saved = one.put("/api/synonyms", json={"groups": [["xbs", "borgerservice"]]}, headers=admin)
    assert saved.status_code == 200

    assert _within(SEEN_WITHIN_S, lambda: bool(_state(other).synonyms.current().expand(["xbs"])))
    assert other.get("/api/synonyms", headers=admin).json()["groups"] == [["xbs", "borgerservice"]]


def test_failed_key_checks_count_across_replicas(
    replicas: tuple[TestClient, TestClient, dict[str, str]],
) -> None:
    """20 failures a minute per address (the default): ten on each replica reach it together;
    counted in each process's memory, neither would have seen more than ten."""
    one, other, admin = replicas
    bad = {"Authorization": "Bearer tvaers_gaet"}
    for _ in range(10):
        assert one.get("/api/units/u001", headers=bad).status_code == 200  # read as anonymous
        assert other.get("/api/units/u001", headers=bad).status_code == 200
    for client in (one, other):
        refused = client.get("/api/units/u001", headers=admin)  # the address waits, any key
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
