"""Fixtures for the service tests: a small Danish data folder, indexed with the fake embedder.

Test modules load these with `pytest_plugins = ("tests.conftest_service",)`.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from indexer.build import Home
from indexer.live import index_data_folder
from service.app import create_app
from service.auth.keys import ApiKeys
from service.auth.roles import Role
from service.config import Settings
from tests.fakes import FakeEmbedder

# API keys made in the indexed home at set-up (each test's home is a copy, so they are in it):
# "admin" writes everything; the others carry their role (the unit editor edits u001).
TEST_KEYS: dict[str, tuple[Role, tuple[str, ...]]] = {
    "test-admin": (Role.admin, ()),
    "test-reader": (Role.reader, ()),
    "test-editor": (Role.unit_editor, ("u001",)),
    "test-coordinator": (Role.coordinator, ()),
}

UNITS = [
    {
        "id": "u001",
        "name": "Hjemmeplejen Nat",
        "organisation": "Faxe Kommune",
        "sector": "kommune",
        "area": "Ældre og sundhed",
        "description": "Nattevagterne kombinerer fysiske besøg med skærmbesøg via tablet hos ældre "
        "borgere i eget hjem. Vi bruger sensorer og anden velfærdsteknologi om natten.",
        "competencies": "skærmbesøg;velfærdsteknologi;nattevagt",
        "contact_name": "Anne Holm",
        "contact_email": "anne.holm@faxe.dk",
        "phone": "56 20 30 00",
    },
    {
        "id": "u002",
        "name": "Borgerservice Haslev",
        "organisation": "Faxe Kommune",
        "sector": "kommune",
        "area": "Borgerservice",
        "description": "Vi hjælper borgerne med MitID, pas, kørekort og Digital Post. Hver tirsdag "
        "har vi drop-in med MitID-hjælp til ældre.",
        "competencies": "MitID;pas og kørekort;digital inklusion",
        "contact_name": "Lone Bisgaard",
        "contact_email": "lone.bisgaard@faxe.dk",
        "phone": "",
    },
    {
        "id": "u003",
        "name": "Center for Digital Velfærd",
        "organisation": "Region Sjælland",
        "sector": "region",
        "area": "Sundhed",
        "description": "Telemedicin og videokonsultationer, så patienter kan få skærmbesøg af "
        "sygeplejersker hjemme i stedet for at køre til hospitalet.",
        "competencies": "telemedicin;videokonsultation;skærmbesøg",
        "contact_name": "Peter Dahl",
        "contact_email": "pdah@regionsjaelland.dk",
        "phone": "",
    },
    {
        "id": "u004",
        "name": "Klarsprogsenheden",
        "organisation": "Digitaliseringsstyrelsen",
        "sector": "stat",
        "area": "Digitalisering",
        "description": "Vi skriver breve og vejledninger i et klart sprog, så borgerne forstår "
        "dem første gang, og vi underviser andre myndigheder i klarsprog.",
        "competencies": "klarsprog;borgerrettet kommunikation;undervisning",
        "contact_name": "Mia Krogh",
        "contact_email": "mkro@digst.dk",
        "phone": "",
    },
    {
        "id": "u005",
        "name": "Frivilligsekretariatet",
        "organisation": "Faxe Kommune",
        "sector": "kommune",
        "area": "Kultur og fritid",
        "description": "Samskabelse med foreninger og frivillige om besøgsvenner og ensomhed "
        "blandt ældre i landsbyerne.",
        "competencies": "frivillige;samskabelse;foreninger",
        "contact_name": "Bo Friis",
        "contact_email": "bo.friis@faxe.dk",
        "phone": "",
    },
    {
        "id": "u006",
        "name": "Plejecenter Solgården",
        "organisation": "Vordingborg Kommune",
        "sector": "kommune",
        "area": "Ældre og sundhed",
        "description": "Plejecenter for ældre med demens. Vi afprøver velfærdsteknologi og "
        "skærmbesøg med pårørende om aftenen og natten.",
        "competencies": "demens;velfærdsteknologi;pårørende",
        "contact_name": "Hanne Vest",
        "contact_email": "hvest@vordingborg.dk",
        "phone": "",
    },
]
PEOPLE = [
    {
        "id": "p001",
        "name": "Ingeborg Skovsgaard",
        "title": "Sygeplejerske",
        "unit_id": "u001",
        "expertise": "skærmbesøg;tablets i hjemmeplejen;nattevagt",
        "email": "ingeborg.skovsgaard@faxe.dk",
    },
    {
        "id": "p002",
        "name": "Jens Mortensen",
        "title": "Borgerservicemedarbejder",
        "unit_id": "u002",
        "expertise": "MitID;Digital Post",
        "email": "jens.mortensen@faxe.dk",
    },
    {
        "id": "p003",
        "name": "Sofie Lindqvist",
        "title": "Projektleder",
        "unit_id": "u003",
        "expertise": "telemedicin;videokonsultation",
        "email": "slin@regionsjaelland.dk",
    },
    {
        "id": "p004",
        "name": "Karim Haddad",
        "title": "Kommunikationskonsulent",
        "unit_id": "u004",
        "expertise": "klarsprog;breve til borgere",
        "email": "khad@digst.dk",
    },
]
TRIALS = [
    {
        "id": "t001",
        "title": "Skærmbesøg om natten",
        "unit_id": "u001",
        "description": "Nattevagten ringer op via tablet i stedet for at køre ud til borgere, "
        "der kun skal have hjælp til medicin.",
        "status": "igangværende",
        "year": "2024",
        "learnings": "Borgerne sover bedre, og vi sparer kørsel.",
    },
    {
        "id": "t002",
        "title": "Drop-in med MitID-hjælp",
        "unit_id": "u002",
        "description": "Ældre kan komme uden tidsbestilling og få hjælp til MitID-appen.",
        "status": "afsluttet",
        "year": "2023",
        "learnings": "Kom i gang med små hold.",
    },
]
HOSTS = [
    {
        "id": "h1",
        "organisation": "Faxe Kommune",
        "unit_name": "Hjemmeplejen Nat",
        "sector": "kommune",
        "offer": "Følg nattevagten og se skærmbesøg og velfærdsteknologi i praksis.",
        "capacity": "2",
        "durations": "1;2",
        "contact_email": "anne.holm@faxe.dk",
    },
    {
        "id": "h2",
        "organisation": "Digitaliseringsstyrelsen",
        "unit_name": "Klarsprogsenheden",
        "sector": "stat",
        "offer": "Lær at skrive breve i klart sprog, som borgerne forstår.",
        "capacity": "1",
        "durations": "2;3",
        "contact_email": "mkro@digst.dk",
    },
]
INTERNS = [
    {
        "id": "i1",
        "name": "Rasmus Juul",
        "organisation": "Region Sjælland",
        "sector": "region",
        "wish": "Jeg vil se, hvordan skærmbesøg om natten fungerer hos ældre borgere.",
        "duration": "2",
        "wished_hosts": "",
        "excluded_hosts": "",
    },
    {
        "id": "i2",
        "name": "Camilla Berg",
        "organisation": "Faxe Kommune",
        "sector": "kommune",
        "wish": "Jeg skriver mange breve til borgere og vil lære klarsprog.",
        "duration": "2",
        "wished_hosts": "h2",
        "excluded_hosts": "",
    },
    {
        "id": "i3",
        "name": "Omar Said",
        "organisation": "Finansministeriet",
        "sector": "stat",
        "wish": "Velfærdsteknologi i kommunerne og hvordan medarbejderne inddrages.",
        "duration": "1",
        "wished_hosts": "",
        "excluded_hosts": "",
    },
]
LOCKS = [{"intern_id": "i3", "host_id": "h1"}]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_data_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "units.csv", UNITS)
    write_csv(folder / "people.csv", PEOPLE)
    write_csv(folder / "trials.csv", TRIALS)
    return folder


def write_week(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "hosts": write_csv(folder / "hosts.csv", HOSTS),
        "interns": write_csv(folder / "interns.csv", INTERNS),
        "locks": write_csv(folder / "locks.csv", LOCKS),
    }


def settings_for(home: Path, **more: Any) -> Settings:
    # Erasures reach the snapshot on disk at the next maintenance round, not after 10 s.
    more.setdefault("erasure_snapshot_delay", 0.0)
    more.setdefault("database_url", None)
    more.setdefault("api_key", None)  # never the environment's
    return Settings(home=home, **more)


def create_key(
    home: Path, name: str, role: Role = Role.admin, units: tuple[str, ...] = (), **more: Any
) -> dict[str, str]:
    """A new key in the home's database (as `tvaers keys create` makes it): its bearer header."""
    store = Home(home, more.get("database_url")).open_store()
    try:
        secret = ApiKeys(store.engine).create(name, role, units)
    finally:
        store.close()
    return {"Authorization": f"Bearer {secret}"}


def revoke_all_keys(home: Path) -> None:
    store = Home(home).open_store()
    try:
        keys = ApiKeys(store.engine)
        for key in keys.all():
            if key.revoked_at is None:
                keys.revoke(key.name)
    finally:
        store.close()


@pytest.fixture(scope="session")
def _indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, str]]]:
    root = tmp_path_factory.mktemp("service")
    data = write_data_folder(root / "data")
    home = root / "home"
    index_data_folder(data, Home(home), FakeEmbedder())
    headers = {
        name: create_key(home, name, role, units) for name, (role, units) in TEST_KEYS.items()
    }
    return home, headers


@pytest.fixture(scope="session")
def indexed_home(_indexed: tuple[Path, dict[str, dict[str, str]]]) -> Path:
    """Built once per session; tests get a copy (`home`) so writes never leak between tests."""
    return _indexed[0]


@pytest.fixture(scope="session")
def key_headers(_indexed: tuple[Path, dict[str, dict[str, str]]]) -> dict[str, dict[str, str]]:
    """Bearer headers of the TEST_KEYS, by name ("test-admin", "test-reader", ...)."""
    return _indexed[1]


@pytest.fixture
def home(indexed_home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(indexed_home, copy)
    return copy


@pytest.fixture
def home_without_keys(home: Path) -> Path:
    """A home whose test keys are all revoked: without sign-in nobody can write."""
    revoke_all_keys(home)
    return home


@pytest.fixture
def week(tmp_path: Path) -> dict[str, Path]:
    return write_week(tmp_path / "week")


def make_app(home: Path, **more: Any) -> FastAPI:
    return create_app(settings_for(home, **more), embedder=FakeEmbedder())


@pytest.fixture
def app(home: Path) -> FastAPI:
    return make_app(home)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def client_without_key(home_without_keys: Path) -> Iterator[TestClient]:
    """No valid key in the database (every key revoked) and no sign-in: nobody can write."""
    with TestClient(make_app(home_without_keys)) as test_client:
        yield test_client


# Helpers as fixtures, so test modules never import this plugin module themselves.


@pytest.fixture
def auth(key_headers: dict[str, dict[str, str]]) -> dict[str, str]:
    """The bearer header of the admin test key (writes every unit)."""
    return dict(key_headers["test-admin"])


@pytest.fixture
def key_factory() -> Callable[..., dict[str, str]]:
    """`key_factory(home, name, role, units)`: a new key's bearer header."""
    return create_key


@pytest.fixture
def settings_factory() -> Callable[..., Settings]:
    return settings_for


@pytest.fixture
def app_factory() -> Callable[..., FastAPI]:
    return make_app


@pytest.fixture
def week_rows() -> dict[str, list[dict[str, str]]]:
    return {"hosts": HOSTS, "interns": INTERNS, "locks": LOCKS}


@pytest.fixture
def week_files(week: dict[str, Path]) -> Callable[..., dict[str, tuple[str, bytes, str]]]:
    """Multipart uploads of some of the `week` files: `week_files("hosts", "interns")`."""

    def files(*keys: str) -> dict[str, tuple[str, bytes, str]]:
        return {k: (week[k].name, week[k].read_bytes(), "text/csv") for k in keys}

    return files
