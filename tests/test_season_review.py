"""A season's review: participants imported, scenarios run side by side with a fairness report
each, locks with a reason kept across re-runs and audit-logged."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from engine.pairing import Host, Intern, propose_pairings
from engine.season import CROSS_SECTOR_REFERENCE, fairness_report
from indexer.schema import audit_table
from tests.fakes import FakeEmbedder

pytest_plugins = ("tests.conftest_service", "tests.oidc")

WeekFiles = Callable[..., dict[str, tuple[str, bytes, str]]]
SEASON = {
    "name": "Innovationspraktik 2027, uge 37",
    "registration_opens": "2027-05-01",
    "registration_deadline": "2027-06-15",
    "week_starts": "2027-09-13",
    "week_ends": "2027-09-17",
}


def _host(host_id: str, org: str, sector: str, capacity: int, days: set[int]) -> Host:
    return Host(
        host_id, org, f"Enhed {host_id}", sector, "Vi viser klarsprog.", capacity, frozenset(days)
    )


def _intern(intern_id: str, org: str, sector: str, days: int, **more: Any) -> Intern:
    return Intern(
        intern_id, f"Navn {intern_id}", org, sector, "Jeg vil lære klarsprog.", days, **more
    )


def test_the_fairness_report_counts_wishes_and_says_why_each_left_out_intern_has_no_place() -> None:
    hosts = [_host("h1", "Faxe Kommune", "kommune", 1, {1, 2}), _host("h2", "Skat", "stat", 1, {2})]
    interns = [
        _intern("a", "Region Sjælland", "region", 2, wished_hosts=("h1",)),
        _intern("b", "Region Sjælland", "region", 2, wished_hosts=("h1", "h2")),
        _intern("c", "Region Sjælland", "region", 2),  # both places taken: capacity
        _intern("d", "Skat", "stat", 5),  # no host offers five days: length
        _intern("e", "Faxe Kommune", "kommune", 2, excluded_hosts=frozenset({"h2"})),  # exclusion
    ]
    proposal = propose_pairings(hosts, interns, FakeEmbedder())
    report = fairness_report(proposal, hosts, interns)
    assert report.interns == 5 and report.matched == 2 and report.with_wishes == 2
    assert report.wishes == {"1": 1, "2": 1, "3": 0, "none": 0}
    assert {x.intern_id: x.cause for x in report.left_out} == {
        "c": "capacity",
        "d": "length",
        "e": "exclusion",
    }
    assert report.left_out_by_cause == {
        "length": 1,
        "own_organisation": 0,
        "exclusion": 1,
        "capacity": 1,
    }
    assert (
        report.cross_sector_share == 1.0 and report.cross_sector_reference == CROSS_SECTOR_REFERENCE
    )
    region = next(g for g in report.by_organisation if g.name == "Region Sjælland")
    assert (region.interns, region.matched, region.matched_share) == (3, 2, 0.6667)
    assert report.total_fit == round(sum(p.fit for p in proposal.pairs), 4)


@pytest.fixture
def api(app: FastAPI, key_headers: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    with TestClient(app, headers=key_headers["test-coordinator"]) as client:
        yield client


def _season_in_review(api: TestClient, week_files: WeekFiles) -> int:
    season_id: int = api.post("/api/seasons", json=SEASON).json()["id"]
    imported = api.post(
        f"/api/seasons/{season_id}/participants", files=week_files("hosts", "interns")
    )
    assert imported.status_code == 200 and imported.json() == {"hosts": 2, "interns": 3}
    for phase in ("registration_open", "registration_closed"):
        api.post(f"/api/seasons/{season_id}/phase", json={"expected": phase})
    return season_id


def test_scenarios_wait_for_the_registration_to_close(
    api: TestClient, week_files: WeekFiles
) -> None:
    season_id = api.post("/api/seasons", json=SEASON).json()["id"]
    api.post(f"/api/seasons/{season_id}/participants", files=week_files("hosts", "interns"))
    early = api.post(f"/api/seasons/{season_id}/scenarios", json={"name": "Bedst samlet"})
    assert early.status_code == 400
    assert (
        "kun køre scenarier" in early.json()["detail"]
        and "Tilmelding åben" in early.json()["detail"]
    )


def test_two_scenarios_side_by_side_each_with_a_fairness_report(
    api: TestClient, week_files: WeekFiles
) -> None:
    season_id = _season_in_review(api, week_files)
    optimal = api.post(f"/api/seasons/{season_id}/scenarios", json={"name": "Bedst samlet"})
    crossing = api.post(
        f"/api/seasons/{season_id}/scenarios",
        json={"name": "Stabil, mere på tværs", "mode": "stable", "cross_sector_bonus": 2.0},
    )
    assert optimal.status_code == crossing.status_code == 201
    both = api.get(f"/api/seasons/{season_id}/scenarios").json()
    assert {s["name"] for s in both} == {"Stabil, mere på tværs", "Bedst samlet"}
    for scenario in both:
        fairness = scenario["fairness"]
        assert set(fairness["wishes"]) == {"1", "2", "3", "none"}
        assert fairness["cross_sector_reference"] == 0.28
        assert fairness["interns"] == 3 and fairness["matched"] == len(scenario["pairs"])
        assert {g["name"] for g in fairness["by_sector"]} == {"region", "kommune", "stat"}
    stable = next(s for s in both if s["mode"] == "stable")
    assert (
        stable["weights"]["cross_sector_bonus"] == 2.0
        and stable["fairness"]["blocking_pairs"] == []
    )
    download = api.get(f"/api/seasons/{season_id}/scenarios/{stable['id']}/download?format=csv")
    assert download.status_code == 200 and download.text.startswith('"Praktikantens id",')


def test_a_lock_with_a_reason_is_kept_by_every_re_run_and_logged(
    api: TestClient, week_files: WeekFiles, app: FastAPI
) -> None:
    season_id = _season_in_review(api, week_files)
    no_reason = api.post(
        f"/api/seasons/{season_id}/locks", json={"intern_id": "i3", "host_id": "h1", "reason": " "}
    )
    assert (
        no_reason.status_code == 400
        and no_reason.json()["detail"] == "Skriv hvorfor parret skal låses."
    )
    locked = api.post(
        f"/api/seasons/{season_id}/locks",
        json={"intern_id": "i3", "host_id": "h1", "reason": "Aftalt med værten i maj"},
    )
    assert locked.status_code == 200 and locked.json()[0]["reason"] == "Aftalt med værten i maj"
    for mode in ("optimal", "stable"):
        run = api.post(f"/api/seasons/{season_id}/scenarios", json={"mode": mode}).json()
        pair = next(p for p in run["pairs"] if p["intern_id"] == "i3")
        assert pair["host_id"] == "h1" and pair["locked"]
        assert run["stats"]["locks_kept"] == 1
    engine = app.state.tvaers.store.engine
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_table.c.action, audit_table.c.changes).where(
                audit_table.c.kind == "season"
            )
        ).all()
    actions = [r.action for r in rows]
    assert actions.count("scenario") == 2 and "import" in actions
    lock_row = next(r for r in rows if r.action == "lock")
    assert json.loads(lock_row.changes)["reason"] == [None, "Aftalt med værten i maj"]


def test_a_lock_breaking_a_rule_is_refused_naming_it(
    api: TestClient, week_files: WeekFiles
) -> None:
    season_id = _season_in_review(api, week_files)
    # i3 wants one day; h2 offers two or three.
    bad = api.post(
        f"/api/seasons/{season_id}/locks",
        json={"intern_id": "i3", "host_id": "h2", "reason": "Ønsket af praktikanten"},
    )
    assert bad.status_code == 422
    assert "tilbyder ikke 1 dage" in json.dumps(bad.json(), ensure_ascii=False)
    assert api.get(f"/api/seasons/{season_id}/locks").json() == []


@pytest.fixture
def coordinator(signed_in: Callable[..., TestClient]) -> TestClient:
    return signed_in("kim", "tvaers-koordinatorer")


def test_a_coordinator_compares_two_scenarios_on_one_page(
    coordinator: TestClient, week_files: WeekFiles
) -> None:
    import re

    page = coordinator.get("/praktik/saesoner").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    csrf = {"csrf_token": token.group(1)}
    season = coordinator.post("/praktik/saesoner", data={**SEASON, **csrf})
    path = str(season.url.path)
    imported = coordinator.post(
        path + "/deltagere", files=week_files("hosts", "interns"), data=csrf
    )
    assert '<p id="participant-counts">2 værter og 3 praktikanter.</p>' in imported.text
    coordinator.post(path + "/fase", data={"expected": "registration_open", **csrf})
    locked = coordinator.post(
        path + "/laase", data={"intern_id": "i3", "host_id": "h1", "reason": "Aftalt", **csrf}
    )
    assert "i3 → h1</strong>: Aftalt" in locked.text
    coordinator.post(path + "/scenarier", data={"name": "Bedst samlet", **csrf})
    compare = coordinator.post(
        path + "/scenarier",
        data={"name": "Mere på tværs", "mode": "stable", "cross_sector_bonus": "2", **csrf},
    )
    assert compare.status_code == 200 and "<h1>Scenarier side om side</h1>" in compare.text
    text = compare.text
    assert ">Mere på tværs</h2>" in text and ">Bedst samlet</h2>" in text
    assert text.count('<svg class="chart" role="img"') == 6  # three plots each
    assert text.count('class="reference"') == 2  # the 28 % line
    assert text.count('<dd class="figure-matched">3 af 3</dd>') == 2


def test_scenarios_run_within_the_same_second_come_back_newest_first(
    api: TestClient, week_files: WeekFiles, app: FastAPI
) -> None:
    """Times are kept to the second; the order within one second follows the runs."""
    import datetime as dt

    from engine.pairing import PairingWeights
    from indexer.audit import Actor
    from service.season.review import ScenarioSpec, SeasonReview

    season_id = _season_in_review(api, week_files)
    moment = dt.datetime(2027, 6, 20, 9, 0)
    review = SeasonReview(app.state.tvaers.store.engine, clock=lambda: moment)
    names = [f"Scenarie {n}" for n in range(1, 7)]
    for name in names:
        spec = ScenarioSpec(name, "optimal", PairingWeights())
        review.run(season_id, spec, FakeEmbedder(), Actor("kim", "Kim"))
    newest_first = names[::-1]
    assert [s.name for s in review.scenarios(season_id)] == newest_first
    listed = api.get(f"/api/seasons/{season_id}/scenarios").json()
    assert [s["name"] for s in listed] == newest_first
