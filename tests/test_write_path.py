"""One write path (issue 20): every change of records (API, edit page, `tvaers index`, `reindex`,
erasure) runs every dependent step of `indexer.steps.STEPS` once, in its own transaction, reads
each record once, and leaves the same dependent rows; caches learn of new index versions by
subscription."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from engine.search import LiveSearcher
from indexer.audit import diff
from indexer.build import Home
from indexer.live import LiveIndex, index_data_folder, rebuild_index
from indexer.plans import Change
from indexer.records import Record
from indexer.schema import audit_table, changes_table, freshness_table
from indexer.steps import STEPS
from indexer.store import Store
from indexer.updates import upsert_record
from service.api.hits import facets_of
from service.api.state import ServiceState
from tests import conftest_service
from tests.conftest_service import make_app, write_csv, write_data_folder
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service", "tests.oidc")

EDITOR = ("anne", "tvaers-redaktoerer", "hjemmeplejen-nat")  # signs in as an editor of u001
NEW_TITLE = "Overlæge"


def _state(client: TestClient) -> ServiceState:
    state: ServiceState = client.app.state.tvaers  # type: ignore[attr-defined]
    return state


@pytest.fixture
def steps_run(monkeypatch: pytest.MonkeyPatch) -> list[Change]:
    """Every change a step is run for (a step added at the end of STEPS)."""
    seen: list[Change] = []

    def spy(conn: sa.Connection, change: Change) -> None:
        assert conn.in_transaction()
        seen.append(change)

    monkeypatch.setitem(STEPS, "spy", spy)
    return seen


def _form_post(client: TestClient, page_url: str, post_url: str, **values: str) -> Any:
    """Post a form as the page sends it: its CSRF token and version, and `values`."""
    page = client.get(page_url)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    version = re.search(r'name="version" value="([^"]*)"', page.text)
    assert token is not None, page.text
    data = {"csrf_token": token.group(1), "version": version.group(1) if version else ""}
    return client.post(post_url, data=data | values, follow_redirects=False)


def _folder_with_title(folder: Path, title: str) -> Path:
    write_data_folder(folder)
    people = [dict(p) for p in conftest_service.PEOPLE]
    people[0]["title"] = title  # p001
    write_csv(folder / "people.csv", people)
    return folder


# Each path runs each step once, in its transaction ----------------------------------------


def test_every_path_runs_every_step_once_in_its_transaction(
    home: Path,
    tmp_path: Path,
    auth: dict[str, str],
    steps_run: list[Change],
    signed_in: Callable[..., TestClient],
) -> None:
    with TestClient(make_app(home)) as client:
        put = client.put("/api/people/p001", json={"title": NEW_TITLE}, headers=auth)
        assert put.status_code == 200, put.text
        assert [c.plan.keys for c in steps_run] == [[("person", "p001")]]
        steps_run.clear()

        deleted = client.delete("/api/people/p002", headers=auth)  # an erasure
        assert deleted.status_code == 200, deleted.text
        [erasure] = steps_run
        assert ("person", "p002") in erasure.plan.deletes and erasure.erased
        steps_run.clear()

    editor = signed_in(*EDITOR)
    saved = _form_post(editor, "/rediger/unit/u001", "/rediger/unit/u001", description="Nat.")
    assert saved.status_code == 303, saved.text
    assert [c.plan.keys[0] for c in steps_run] == [("unit", "u001")]
    steps_run.clear()

    confirmed = _form_post(editor, "/rediger/unit/u001", "/bekraeft/unit/u001")
    assert confirmed.status_code == 303, confirmed.text
    assert [(c.plan.keys, c.confirmed) for c in steps_run] == [([], (("unit", "u001"),))]
    steps_run.clear()

    index_data_folder(
        _folder_with_title(tmp_path / "data", "Jordemoder"), Home(home), FakeEmbedder()
    )
    assert [c.actor.name for c in steps_run] == ["import"]
    steps_run.clear()

    rebuild_index(Home(home), FakeEmbedder())
    assert [c.plan.reset for c in steps_run] == [True]


def test_a_failing_step_undoes_the_whole_write(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The steps share the write's transaction: a step that fails leaves no record, no revision,
    no audit row and no confirmation behind."""

    def fails(conn: sa.Connection, change: Change) -> None:
        raise RuntimeError("a step failed")

    monkeypatch.setitem(STEPS, "fails", fails)
    store = Home(home).open_store()
    try:
        before = store.head().revision, _rows(store)
        person = store.get("person", "p001")
        assert person is not None
        changed = Record("person", "p001", person.fields | {"title": NEW_TITLE})
        with pytest.raises(RuntimeError):
            upsert_record(store, FakeEmbedder(), changed)
        assert (store.head().revision, _rows(store)) == before
        assert store.get("person", "p001") == person
    finally:
        store.close()


def _rows(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (audit_table, freshness_table, changes_table)
        )


# A record is read once per write ----------------------------------------------------------


@pytest.fixture
def record_reads(client: TestClient) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT on the records table, with its parameters, while the test runs."""
    reads: list[tuple[str, Any]] = []
    engine = _state(client).store.engine

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and re.search(
            r"\bFROM records\b", statement
        ):
            reads.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listen)
    yield reads
    sa.event.remove(engine, "before_cursor_execute", listen)


def _reads_of(reads: list[tuple[str, Any]], record_id: str) -> int:
    return sum(record_id in (p.values() if isinstance(p, dict) else p) for _, p in reads)


def test_a_put_reads_the_person_and_their_unit_once(
    client: TestClient, auth: dict[str, str], record_reads: list[tuple[str, Any]]
) -> None:
    """The write's plan reads them; the rule it checks, what it replaces, the vectors it frees,
    the index that applies it and the answer take them from there."""
    put = client.put("/api/people/p001", json={"title": NEW_TITLE}, headers=auth)

    assert put.status_code == 200, put.text
    assert put.json()["title"] == NEW_TITLE and put.json()["confirmed_by"]
    assert (_reads_of(record_reads, "p001"), _reads_of(record_reads, "u001")) == (1, 1)
    hits = client.get("/api/search", params={"q": NEW_TITLE}).json()["hits"]
    assert hits[0]["id"] == "p001"  # the index applied what the write stored


def test_a_unit_put_reads_the_unit_and_each_of_its_people_once(
    client: TestClient, auth: dict[str, str], record_reads: list[tuple[str, Any]]
) -> None:
    people = [r.id for r in _state(client).records_of_unit("u001", "person")]
    record_reads.clear()

    put = client.put("/api/units/u001", json={"name": "Nattevagten"}, headers=auth)

    assert put.status_code == 200, put.text
    assert _reads_of(record_reads, "u001") == 2  # by id, then by unit_id: no row twice
    assert all(_reads_of(record_reads, p) == 0 for p in people)  # read by unit_id, not by id


# The same change leaves the same dependent rows, whichever path made it ---------------------


def _dependent_rows(store: Store, after_revision: int, after_seq: int) -> dict[str, Any]:
    with store.engine.connect() as conn:
        audit = conn.execute(
            sa.select(audit_table.c.kind, audit_table.c.record_id, audit_table.c.action)
            .where(audit_table.c.seq > after_seq)
            .order_by(audit_table.c.seq)
        ).all()
        log = conn.execute(
            sa.select(changes_table.c.kind, changes_table.c.id).where(
                changes_table.c.revision > after_revision
            )
        ).all()
        confirmed = conn.execute(
            sa.select(freshness_table.c.confirmed_by).where(freshness_table.c.id == "p001")
        ).scalar_one()
    return {
        "audit": [tuple(r) for r in audit],
        "log": sorted(tuple(r) for r in log),
        "by": confirmed,
    }


def _marks(store: Store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        seq = conn.execute(sa.select(sa.func.max(audit_table.c.seq))).scalar_one()
    return store.head().revision, int(seq or 0)


def _audited_changes(store: Store, after_seq: int) -> dict[str, list[str | None]]:
    with store.engine.connect() as conn:
        changes = conn.execute(
            sa.select(audit_table.c.changes).where(audit_table.c.seq > after_seq)
        ).scalar_one()
    loaded: dict[str, list[str | None]] = json.loads(changes)
    return loaded


@pytest.mark.parametrize("path", ["api", "edit page", "tvaers index"])
def test_each_path_leaves_the_same_dependent_rows(
    path: str,
    home: Path,
    tmp_path: Path,
    auth: dict[str, str],
    signed_in: Callable[..., TestClient],
) -> None:
    store = Home(home).open_store()
    try:
        before = store.get("person", "p001")
        revision, seq = _marks(store)
    finally:
        store.close()
    assert before is not None

    if path == "api":
        with TestClient(make_app(home)) as client:
            put = client.put("/api/people/p001", json={"title": NEW_TITLE}, headers=auth)
            assert put.status_code == 200, put.text
        by = "API-nøgle test-admin"
    elif path == "edit page":
        editor = signed_in(*EDITOR)
        url = "/rediger/person/p001"
        fields = {f: before.get(f) for f in ("name", "expertise", "email")}
        saved = _form_post(editor, url, url, **fields, title=NEW_TITLE)
        assert saved.status_code == 303, saved.text
        by = "Anne"
    else:
        folder = _folder_with_title(tmp_path / "data", NEW_TITLE)
        assert index_data_folder(folder, Home(home), FakeEmbedder()).changed == 1
        by = "import"

    store = Home(home).open_store()
    try:
        after = store.get("person", "p001")
        assert after is not None and after.get("title") == NEW_TITLE
        rows = _dependent_rows(store, revision, seq)
        assert rows == {
            "audit": [("person", "p001", "update")],
            "log": [("person", "p001")],
            "by": rows["by"],
        }
        assert rows["by"].startswith(by)
        assert _audited_changes(store, seq) == diff(before, after)
        # (The edit page also respells the expertise list as "a; b": its form, not its path.)
        assert diff(before, after)["title"] == [before.get("title"), NEW_TITLE]
    finally:
        store.close()


# Caches learn of new index versions by subscription ----------------------------------------


@pytest.fixture
def live(home: Path) -> Iterator[LiveIndex]:
    store = Home(home).open_store()
    live = LiveIndex.open(store, FakeEmbedder(), Home(home).index_dir)
    yield live
    live.close()
    store.close()


def test_a_new_index_version_empties_the_query_cache_before_anyone_sees_it(
    live: LiveIndex,
) -> None:
    searchers = LiveSearcher(live, FakeEmbedder())
    searchers.current().search_by_text("Ingeborg Skovsgaard")
    assert searchers.caches.query_vectors  # the query's vector is cached
    told: list[int] = []
    live.subscribe(lambda index: told.append(index.revision))

    person = live.store.get("person", "p001")
    assert person is not None
    upsert_record(
        live.store, FakeEmbedder(), Record("person", "p001", person.fields | {"title": "X"})
    )
    live.catch_up()

    assert not searchers.caches.query_vectors  # emptied when the version was published
    assert told == [live.current.revision]  # told once
    assert searchers.current().index is live.current


def test_asking_for_the_current_searcher_changes_nothing(live: LiveIndex) -> None:
    searchers = LiveSearcher(live, FakeEmbedder())
    first = searchers.current()
    first.search_by_text("Ingeborg Skovsgaard")
    cached = dict(searchers.caches.query_vectors)

    assert searchers.current() is first
    assert dict(searchers.caches.query_vectors).keys() == cached.keys()


def test_the_filter_values_follow_each_version(client: TestClient, auth: dict[str, str]) -> None:
    """They are told each version and updated from its changed rows (not a pass over every
    document per write), and equal a full pass after each change."""
    state = _state(client)
    unchanged = state.facets
    put = client.put("/api/people/p001", json={"title": NEW_TITLE}, headers=auth)
    assert put.status_code == 200
    assert state.facets is unchanged  # a change that shows no new value keeps them

    unit = {
        "id": "u50",
        "name": "Robotlaboratoriet",
        "organisation": "Robotkommunen",
        "sector": "region",
        "area": "Robotter",
        "description": "Vi afprøver robotter, der hjælper ældre med at spise selv.",
    }
    assert client.post("/api/units", json=unit, headers=auth).status_code == 201
    assert "Robotkommunen" in state.facets.organisations
    assert state.facets == facets_of(state.live.current)

    assert client.delete("/api/units/u50", headers=auth).status_code == 200
    assert "Robotkommunen" not in state.facets.organisations
    assert state.facets == facets_of(state.live.current)
