"""Erasing a person reaches every copy (indexer.erasure.SINKS), by every path: API, edit page,
`tvaers index` of a folder without them. Each test grep-s every file under the home folder
(database, its journal, snapshots) and, on PostgreSQL, a dump of the database."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from indexer.audit import Actor
from indexer.erasure import SINKS
from indexer.records import Record
from indexer.schema import (
    audit_table,
    freshness_table,
    season_links_table,
    season_pairs_table,
)
from indexer.search_gaps import Asking, SearchGapLog
from service import cli
from service.api.state import ServiceState
from service.auth.editors import Editors
from service.season.registration import Registrant
from tests.conftest_service import HOSTS, make_app, write_data_folder
from tests.fakes import FakeEmbedder
from tests.folders import traces
from tests.postgres import _pg_bin_dir

pytest_plugins = ("tests.conftest_service", "tests.oidc")

NAME, EMAIL, PHONE = "Vibeke Tarnow", "vibeke.tarnow@faxe.dk", "40 11 22 33"
HER = Actor(EMAIL, NAME)
ADMIN = Actor("key:admin", "admin")
NEEDLES = [b"vibeke tarnow", b"tarnow", EMAIL.encode(), PHONE.encode(), b"40112233"]


def _state(client: TestClient) -> ServiceState:
    state: ServiceState = client.app.state.tvaers  # type: ignore[attr-defined]
    return state


def _plant(client: TestClient, headers: dict[str, str], week_files: Any) -> None:
    """Her traces in every sink: her record and her own edit (audit actor), a confirmation by
    her, another unit naming her, free text with her address and phone, counted searches, an
    editor row and a pairing proposal naming her."""
    state = _state(client)
    person = {
        "id": "p90",
        "name": NAME,
        "title": "Leder",
        "unit_id": "u001",
        "expertise": ["jura"],
        "email": EMAIL,
        "metadata": {"phone": PHONE},
    }
    assert client.post("/api/people", json=person, headers=headers).status_code == 201
    mine = state.record("person", "p90")
    state.save(Record("person", "p90", mine.fields | {"title": "Afdelingsleder"}), actor=HER)
    trial = state.records_of_unit("u002", "trial")[0]
    state.confirm("trial", trial.id, HER)
    unit = state.record("unit", "u003")
    state.save(Record("unit", "u003", unit.fields | {"contact_name": NAME}), actor=ADMIN)
    text = f"Ring til os på +45 {PHONE} eller skriv til {EMAIL.upper()} om lån af lifte."
    free = {
        "id": "t91",
        "title": "Lån af lifte",
        "unit_id": "u004",
        "description": text,
        "status": "planlagt",
        "year": "2026",
        "learnings": "",
    }
    state.save(Record("trial", "t91", free), new=True, actor=ADMIN)
    gaps = SearchGapLog(state.store.engine)
    for query in ("vibeke tarnow", "40112233", "tarnow jura", "lifte om natten"):
        gaps.count(Asking(query, dt.date(2026, 12, 8), 0, 0.0, 0.0))
    gaps.flush()
    Editors(state.store.engine).add(EMAIL.upper(), "u001")
    files = week_files("hosts", "interns")
    name, data, media = files["interns"]
    first_intern = data.decode().splitlines()[1].split(",")[1]
    lines = data.decode().replace(first_intern, NAME).splitlines()
    addresses = ["email", EMAIL, *(f"praktikant{n}@example.dk" for n in range(2, len(lines)))]
    with_email = [f"{line},{address}" for line, address in zip(lines, addresses, strict=True)]
    files["interns"] = (name, ("\n".join(with_email) + "\n").encode(), media)
    made = client.post("/api/pairings", files=files, headers=headers)
    assert made.status_code == 200, made.text
    _plant_season(client, headers, files)


def _plant_season(
    client: TestClient, headers: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> None:
    """Her registration in a season (as an intern), a lock on her and a scenario naming her;
    the scenario published (letters to her and naming her in the outbox, her answer link and
    her answer), and the evaluation: her answers, and her host's free text naming her."""
    season = {
        "name": "Innovationspraktik 2027",
        "registration_opens": "2027-05-01",
        "registration_deadline": "2027-06-15",
        "week_starts": "2027-09-13",
        "week_ends": "2027-09-17",
    }
    season_id = client.post("/api/seasons", json=season, headers=headers).json()["id"]
    api = f"/api/seasons/{season_id}"
    assert client.post(f"{api}/participants", files=files, headers=headers).status_code == 200
    _register_by_link(_state(client), season_id)
    for phase in ("registration_open", "registration_closed"):
        client.post(f"{api}/phase", json={"expected": phase}, headers=headers)
    lock = {"intern_id": "i1", "host_id": "h2", "reason": "Aftalt"}
    assert client.post(f"{api}/locks", json=lock, headers=headers).status_code == 200
    scenario = client.post(f"{api}/scenarios", json={"name": "Første"}, headers=headers)
    assert scenario.status_code == 201, scenario.text
    chosen = {"scenario_id": scenario.json()["id"]}
    assert client.post(f"{api}/publish", json=chosen, headers=headers).status_code == 200
    host = next(p["host_id"] for p in scenario.json()["pairs"] if p["intern_id"] == "i1")
    accepted = client.post(
        _link_to(client, EMAIL, "svar"),
        data={"intern_id": "i1", "host_id": host, "choice": "accept"},
    )
    assert accepted.status_code == 200
    for phase in ("published", "week"):
        client.post(f"{api}/phase", json={"expected": phase}, headers=headers)
    assert client.post(f"{api}/evaluation/invitations", headers=headers).status_code == 200
    ours = {"useful": "ja", "recommend": "ja", "again": "ja"}
    text = {"take_home": f"Vi lærte meget af {NAME}.", "comment": f"Skriv til {EMAIL}."}
    host_address = next(h["contact_email"] for h in HOSTS if h["id"] == host)
    for address, answer in ((EMAIL, ours), (host_address, ours | text)):
        done = client.post(_link_to(client, address, "evaluering"), data=answer)
        assert done.status_code == 200, done.text


def _link_to(client: TestClient, address: str, kind: str) -> str:
    """The newest link of this kind in a message to this address (no SMTP host: they wait)."""
    for message in _state(client).outbox.messages():
        found = re.search(rf"https?://testserver(/praktik/{kind}/[\w-]+)", message.body)
        if message.to_address == address and found:
            return found.group(1)
    raise AssertionError(f"no {kind} link to {address}")


def _register_by_link(state: ServiceState, season_id: int) -> None:
    """She asked for a personal link and registered her unit as a host with it."""
    state.registrations.grant_link(season_id, EMAIL, dt.timedelta(days=14))
    her = Registrant.by_link(EMAIL, season_id)
    host = {
        "organisation": "Faxe Kommune",
        "unit_name": "Jura og Ledelse",
        "sector": "kommune",
        "offer": "Se hvordan vi skriver afgørelser.",
        "capacity": "1",
        "durations": "1;2",
        "contact_name": "Jura",
        "contact_email": "jura@faxe.dk",
    }
    state.registrations.save(season_id, her, "host", host)


def _dump(url: str) -> bytes:
    """pg_dump of the test database (PostgreSQL); b"" for SQLite (its file is under home)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return b""
    bin_dir = _pg_bin_dir()
    assert bin_dir is not None
    command = [
        str(bin_dir / "pg_dump"),
        "-h",
        str(parsed.host),
        "-p",
        str(parsed.port),
        "-U",
        str(parsed.username),
        "--inserts",
        str(parsed.database),
    ]
    return subprocess.run(command, check=True, capture_output=True).stdout.lower()


def _leftovers(home: Path, url: str) -> list[str]:
    dump = _dump(url)
    return traces(home, NEEDLES) + [f"dump: {n.decode()}" for n in NEEDLES if n in dump]


def _facts_kept(url: str) -> None:
    """The facts stay: her record's audit rows (without values) and the confirmation; the
    delete is audited by whoever made it (an import too: one write path)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            about = (
                conn.execute(
                    sa.select(audit_table.c.action)
                    .where(audit_table.c.record_id == "p90")
                    .order_by(audit_table.c.seq)
                )
                .scalars()
                .all()
            )
            confirmed_by = conn.execute(sa.select(freshness_table.c.confirmed_by)).scalars()
            assert "[slettet]" in set(confirmed_by)
            # Her published pair and her links go with her registration (they hold her id).
            pairs = conn.execute(sa.select(season_pairs_table.c.intern_id)).scalars().all()
            links = conn.execute(sa.select(season_links_table.c.participant_id)).scalars()
            assert pairs and "i1" not in pairs and "i1" not in set(links)
    finally:
        engine.dispose()
    assert about == ["create", "update", "delete"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, home: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{home / 'tvaers.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_every_sink_is_listed() -> None:
    assert set(SINKS) == {
        "audit_log",
        "freshness",
        "search_gaps",
        "unit_editors",
        "sign_in_sessions",
        "pairing_proposals",
        "season_participants",
        "season_registration_links",
        "season_locks",
        "season_scenarios",
        "season_letters",
        "season_pairs",
        "season_links",
        "season_evaluations",
        "mail_outbox",
    }


def test_an_api_delete_leaves_no_trace_before_it_answers(
    tmp_path: Path, database_url: str, week_files: Any, key_factory: Callable[..., Any]
) -> None:
    home = tmp_path / "replica"
    if database_url.startswith("postgresql"):
        from indexer.build import Home
        from indexer.live import index_data_folder

        index_data_folder(
            write_data_folder(tmp_path / "data"), Home(home, database_url), FakeEmbedder()
        )
    else:
        shutil.copytree(
            Path(make_url(database_url).database or "").parent, home, dirs_exist_ok=True
        )
        database_url = f"sqlite:///{home / 'tvaers.db'}"
    headers = key_factory(home, "eraser", database_url=database_url)
    with TestClient(make_app(home, database_url=database_url)) as client:
        _plant(client, headers, week_files)
        assert traces(home, NEEDLES) or _dump(database_url)  # the check can see traces at all

        deleted = client.delete("/api/people/p90", headers=headers)

        assert deleted.status_code == 200, deleted.text
        assert deleted.json()["proposals_dropped"] == 1
        assert _leftovers(home, database_url) == []  # before the service stops
        public = client.get("/api/units/u003").json()
        assert public["contact_name"] == ""
        trial = client.get("/api/trials/t91", headers=headers).json()
        assert re.sub(r"\s", "", trial["description"]).count("[slettet]") == 2
    assert _leftovers(home, database_url) == []
    _facts_kept(database_url)


def test_the_edit_page_delete_leaves_no_trace(
    signed_in: Callable[..., TestClient],
    home: Path,
    week_files: Any,
    key_headers: dict[str, dict[str, str]],
) -> None:
    client = signed_in("anne", "tvaers-redaktoerer", "hjemmeplejen-nat")  # edits u001
    _plant(client, key_headers["test-admin"], week_files)
    page = client.get("/rediger/person/p90/slet")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    version = re.search(r'name="version" value="([^"]*)"', page.text)
    assert token is not None and version is not None

    gone = client.post(
        "/rediger/person/p90/slet",
        data={"csrf_token": token.group(1), "version": version.group(1)},
        follow_redirects=False,
    )

    assert gone.status_code == 303
    assert traces(home, NEEDLES) == []
    _facts_kept(f"sqlite:///{home / 'tvaers.db'}")


def test_tvaers_index_of_a_folder_without_them_leaves_no_trace(
    tmp_path: Path, monkeypatch: Any, week_files: Any, key_factory: Callable[..., Any]
) -> None:
    monkeypatch.setattr(cli, "make_embedder", lambda settings: FakeEmbedder())
    home, data = tmp_path / "home", write_data_folder(tmp_path / "data")
    runner = CliRunner()
    assert runner.invoke(cli.main, ["--home", str(home), "index", str(data)]).exit_code == 0
    headers = key_factory(home, "planter")
    with TestClient(make_app(home)) as client:
        _plant(client, headers, week_files)
    assert traces(home, NEEDLES)

    result = runner.invoke(cli.main, ["--home", str(home), "index", str(data)])

    assert result.exit_code == 0, result.output
    assert traces(home, NEEDLES) == []
    _facts_kept(f"sqlite:///{home / 'tvaers.db'}")
