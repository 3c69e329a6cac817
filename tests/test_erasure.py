"""Erasure keeps its word: contacts, pairing proposals, orphaned vectors, leftover folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from engine.pairing import PairingProposal, PairingWeights
from engine.pairing.propose import PairingStats
from indexer.build import Home
from indexer.store import Store
from service import cli
from service.api.proposals import ProposalShelf
from tests.fakes import FakeEmbedder
from tests.folders import assert_no_traces_soon, traces

pytest_plugins = ("tests.conftest_service",)

NAME, EMAIL = "Anne Holm", "anne.holm@faxe.dk"  # u001's contact in the service test data


def _add_anne(client: TestClient, auth: dict[str, str]) -> None:
    """Anne, u001's contact, as a person, and a trial action with her as contact person."""
    person = {
        "id": "p70",
        "name": NAME,
        "title": "Leder",
        "unit_id": "u001",
        "expertise": ["ledelse", "nattevagter"],
        "email": EMAIL.upper(),  # the same address, written otherwise
    }
    assert client.post("/api/people", json=person, headers=auth).status_code == 201
    trial = {
        "id": "t70",
        "title": "Natlige skærmbesøg for pårørende",
        "unit_id": "u002",
        "description": "Pårørende kunne se med på skærmbesøget om natten.",
        "metadata": {"contact_person_id": "p70"},
    }
    assert client.post("/api/trials", json=trial, headers=auth).status_code == 201


def test_deleting_a_contact_clears_every_record_that_names_them(
    client: TestClient, auth: dict[str, str], home: Path
) -> None:
    _add_anne(client, auth)
    needles = [NAME.lower().encode(), EMAIL.encode()]
    assert traces(home, needles)  # the check below can see traces at all

    response = client.delete("/api/people/p70", headers=auth)

    assert response.status_code == 200
    body = response.json()
    assert body["cleared"] == [
        {"kind": "unit", "id": "u001", "fields": ["contact_name", "contact_email"]},
        {"kind": "trial", "id": "t70", "fields": ["contact_person_id"]},
    ]
    assert "fjernet som kontakt på: enheden u001" in body["message"]
    unit = client.get("/api/units/u001").json()
    assert (unit["contact_name"], unit["contact_email"]) == ("", "")
    assert client.get("/api/trials/t70").json()["metadata"] == {"contact_person_id": ""}
    assert_no_traces_soon(home, needles)  # before searching her again: that is counted anew
    hits = client.get("/api/search", params={"q": "Anne Holm", "limit": 100}).json()["hits"]
    assert "anne holm" not in str(hits).lower() and EMAIL not in str(hits).lower()
    page = client.get("/enheder/u001").text.lower()
    assert "anne holm" not in page and EMAIL not in page


def test_a_unit_elsewhere_naming_them_by_name_only_loses_the_name_not_the_address(
    client: TestClient, auth: dict[str, str]
) -> None:
    """Issue 20: another unit's contact_name kept an erased person's name. A name alone cannot
    tell her from a namesake, so erasure errs on removing it; the unit's e-mail (someone
    else's) stays."""
    unit = client.get("/api/units/u002").json()
    assert unit["contact_name"] == "Lone Bisgaard"
    person = {"id": "p71", "name": "Lone Bisgaard", "unit_id": "u001", "expertise": ["jura"]}
    assert client.post("/api/people", json=person, headers=auth).status_code == 201
    body = client.delete("/api/people/p71", headers=auth).json()
    assert body["cleared"] == [{"kind": "unit", "id": "u002", "fields": ["contact_name"]}]
    after = client.get("/api/units/u002", headers=auth).json()
    assert after["contact_name"] == ""
    assert after["contact_email"] == unit["contact_email"] or not unit["contact_email"]


def _pairing_with(client: TestClient, week_files: Any, intern_name: str) -> str:
    files = week_files("hosts", "interns")
    name, data, media = files["interns"]
    first_intern = data.decode().splitlines()[1].split(",")[1]
    files["interns"] = (name, data.decode().replace(first_intern, intern_name).encode(), media)
    response = client.post("/api/pairings", files=files)
    assert response.status_code == 200, response.text
    assert intern_name in response.text
    proposal_id: str = response.json()["id"]
    return proposal_id


def test_proposals_naming_a_deleted_person_are_dropped(
    client: TestClient, auth: dict[str, str], week_files: Any
) -> None:
    _add_anne(client, auth)
    client.headers.update(auth)  # pairing needs a coordinator (or admin)
    naming = _pairing_with(client, week_files, NAME)
    other = _pairing_with(client, week_files, "Bo Jensen")
    download = f"/api/pairings/{naming}/download"
    assert client.get(download).status_code == 200

    body = client.delete("/api/people/p70", headers=auth).json()

    assert body["proposals_dropped"] == 1 and "Praktikforslag" in body["message"]
    assert client.get(download).status_code == 404
    assert client.get(f"/api/pairings/{other}/download").status_code == 200


def test_a_proposal_can_be_deleted(
    client: TestClient, auth: dict[str, str], week_files: Any
) -> None:
    client.headers.update(auth)  # pairing needs a coordinator (or admin)
    proposal_id = _pairing_with(client, week_files, "Bo Jensen")
    assert client.delete(f"/api/pairings/{proposal_id}").status_code == 200
    assert client.get(f"/api/pairings/{proposal_id}/download").status_code == 404
    assert client.delete(f"/api/pairings/{proposal_id}").status_code == 404


def test_proposals_expire(tmp_path: Path) -> None:
    now = [dt.datetime(2026, 12, 8, 12)]
    store = Store(f"sqlite:///{tmp_path / 'tvaers.db'}")
    shelf = ProposalShelf(store.engine, ttl_seconds=24 * 3600, clock=lambda: now[0])
    stats = PairingStats("optimal", 0, 0, 0, 0, 0.0, 0.0, 0.0, 0, 0, 0, 0)
    proposal = PairingProposal([], [], stats, [], PairingWeights(), "fake")
    shelf.keep("a", proposal)
    now[0] += dt.timedelta(seconds=24 * 3600 - 1)
    assert shelf.get("a") == proposal
    now[0] += dt.timedelta(seconds=2)
    assert shelf.get("a") is None
    store.close()


def test_the_ttl_is_a_setting(home: Path, settings_factory: Any) -> None:
    from service.app import create_app

    app = create_app(settings_factory(home, proposal_ttl_hours=0.5), embedder=FakeEmbedder())
    with TestClient(app) as client:
        assert client.app.state.tvaers.proposals.ttl_seconds == 1800  # type: ignore[attr-defined]


# Sweeps at `tvaers index` and at service start ----------------------------------------------


def _orphan(home: Path, model_id: str) -> str:
    """A cached vector of a text no record shows, as a crash between cache and commit leaves."""
    store = Home(home).open_store()
    try:
        store.cache_vectors(model_id, {"f" * 64: np.ones(64, dtype=np.float32)})
        assert store.cached_hashes(model_id, ["f" * 64]) == {"f" * 64}
    finally:
        store.close()
    return "f" * 64


def _cached(home: Path, model_id: str, digest: str) -> bool:
    store = Home(home).open_store()
    try:
        return bool(store.cached_hashes(model_id, [digest]))
    finally:
        store.close()


def test_service_start_sweeps_orphaned_vectors(
    home: Path, app_factory: Any, auth: dict[str, str]
) -> None:
    model_id = FakeEmbedder().model_id
    digest = _orphan(home, model_id)
    app: FastAPI = app_factory(home)
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
    assert not _cached(home, model_id, digest)


def test_tvaers_index_sweeps_orphaned_vectors_and_leftover_folders(
    tmp_path: Path, mini_folder: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(cli, "make_embedder", lambda settings: FakeEmbedder())
    home = tmp_path / "home"
    runner = CliRunner()
    assert runner.invoke(cli.main, ["--home", str(home), "index", str(mini_folder)]).exit_code == 0
    model_id = FakeEmbedder().model_id
    digest = _orphan(home, model_id)
    leftovers = [home / "index.tmp-123", home / "index.old-456", home / "index" / "staging-1-x"]
    for folder in leftovers:
        folder.mkdir(parents=True)
        (folder / "documents.jsonl").write_text('{"title": "Fjernet Person"}')

    result = runner.invoke(cli.main, ["--home", str(home), "index", str(mini_folder)])

    assert result.exit_code == 0, result.output
    assert "1 vektor fra tekster, der ikke længere findes" in result.output
    assert not _cached(home, model_id, digest)
    assert [f for f in leftovers if f.exists()] == []
    assert traces(home, [b"fjernet person"]) == []
