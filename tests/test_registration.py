"""Hosts and interns register themselves for the current season: signed in, through the API and
the pages, with the same rules as an upload; they edit until the deadline, and their
registrations sit beside a coordinator's import in the same review."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from indexer.schema import audit_table
from service.api.state import ServiceState
from tests.seasons import SEASON_2027

pytest_plugins = ("tests.conftest_service", "tests.oidc")

Client = Callable[..., TestClient]
SEASON = SEASON_2027
HOST = {
    "organisation": "Faxe Kommune",
    "unit_name": "Borgerservice Haslev",
    "unit_id": "u002",
    "sector": "kommune",
    "offer": "Se hvordan vi hjælper borgere med MitID og digital post ved skranken.",
    "capacity": 2,
    "durations": [2, 1],
    "contact_name": "Lone Bisgaard",
    "contact_email": "Lone.Bisgaard@faxe.dk",
}
INTERN = {
    "name": "Ida Krogh",
    "email": "ida@regionsjaelland.dk",
    "organisation": "Region Sjælland",
    "sector": "region",
    "wish": "Jeg vil lære, hvordan en borgerservice hjælper ældre med det digitale.",
    "duration": 2,
}


def _state(client: TestClient) -> ServiceState:
    state: ServiceState = client.app.state.tvaers  # type: ignore[attr-defined]
    return state


def _season(client: TestClient, coordinator: dict[str, str]) -> int:
    made = client.post("/api/seasons", json=SEASON | {"current": True}, headers=coordinator)
    assert made.status_code == 201, made.text
    season_id: int = made.json()["id"]
    return season_id


@pytest.fixture
def coordinator(key_headers: dict[str, dict[str, str]]) -> dict[str, str]:
    return key_headers["test-coordinator"]


def test_a_signed_in_host_registers_and_edits_until_the_deadline(
    signed_in: Client, coordinator: dict[str, str]
) -> None:
    lone = signed_in("lone")
    season_id = _season(lone, coordinator)

    first = lone.put("/api/registration/host", json=HOST)
    again = lone.put("/api/registration/host", json=HOST | {"capacity": 3})

    assert first.status_code == again.status_code == 200, first.text
    mine = again.json()
    assert mine["open"] is True and mine["host"]["capacity"] == 3
    assert mine["host"]["durations"] == [1, 2]  # sorted, as a set of lengths
    assert mine["host"]["contact_email"] == "lone.bisgaard@faxe.dk"
    assert mine["host_id"] == first.json()["host_id"]  # edited, not registered twice
    counts = lone.get(f"/api/seasons/{season_id}/participants", headers=coordinator).json()
    assert counts == {"hosts": 1, "interns": 0}

    moved = lone.post(
        f"/api/seasons/{season_id}/phase",
        json={"expected": "registration_open"},
        headers=coordinator,
    )
    assert moved.status_code == 200
    late = lone.put("/api/registration/host", json=HOST | {"capacity": 1})

    assert late.status_code == 409
    assert "Tilmeldingen til Innovationspraktik 2027, uge 37 er lukket" in late.json()["detail"]
    shown = lone.get("/api/registration").json()
    assert shown["open"] is False and shown["host"]["capacity"] == 3
    assert "fristen var 15-06-2027" in shown["closed_because"]


def test_nobody_registers_without_signing_in_or_a_link(
    client: TestClient, coordinator: dict[str, str]
) -> None:
    _season(client, coordinator)
    anonymous = TestClient(client.app)

    refused = anonymous.put("/api/registration/host", json=HOST)

    assert refused.status_code == 401
    assert "personligt link" in refused.json()["detail"]


def test_an_intern_picks_wished_hosts_among_this_seasons_hosts(
    signed_in: Client, coordinator: dict[str, str]
) -> None:
    lone, ida = signed_in("lone"), signed_in("ida")
    _season(lone, coordinator)
    host_id = lone.put("/api/registration/host", json=HOST).json()["host_id"]

    found = ida.get("/api/registration/hosts", params={"q": "borg hasl"}).json()
    none = ida.get("/api/registration/hosts", params={"q": "klarsprog"}).json()
    unknown = ida.put("/api/registration/intern", json=INTERN | {"wished_hosts": ["h-nope"]})
    both = ida.put(
        "/api/registration/intern",
        json=INTERN
        | {"wished_hosts": [host_id], "excluded_hosts": [host_id], "exclusion_reason": "x"},
    )
    no_reason = ida.put("/api/registration/intern", json=INTERN | {"excluded_hosts": [host_id]})
    saved = ida.put("/api/registration/intern", json=INTERN | {"wished_hosts": [host_id]})

    assert found["data"] == [
        {
            "id": host_id,
            "unit_name": "Borgerservice Haslev",
            "organisation": "Faxe Kommune",
            "sector": "kommune",
            "durations": [1, 2],
        }
    ]
    assert "contact_email" not in found["data"][0] and none["count"] == 0
    assert unknown.status_code == 422
    assert [(p["column"], p["message"]) for p in unknown.json()["problems"]] == [
        ("wished_hosts", "værten 'h-nope' findes ikke")
    ]
    assert both.status_code == 422 and both.json()["problems"][0]["column"] == "excluded_hosts"
    assert no_reason.status_code == 422
    assert no_reason.json()["problems"][0]["column"] == "exclusion_reason"
    assert saved.status_code == 200 and saved.json()["intern"]["wished_hosts"] == [host_id]


def test_an_intern_cannot_wish_a_host_in_their_own_organisation(
    signed_in: Client, coordinator: dict[str, str]
) -> None:
    lone, ida = signed_in("lone"), signed_in("ida")
    _season(lone, coordinator)
    host_id = lone.put("/api/registration/host", json=HOST).json()["host_id"]

    own = ida.put(
        "/api/registration/intern",
        json=INTERN | {"organisation": "faxe  kommune", "wished_hosts": [host_id]},
    )

    assert own.status_code == 422
    assert "uden for din egen organisation" in own.json()["problems"][0]["message"]


def test_the_page_refuses_what_the_api_refuses_beside_the_field(
    signed_in: Client, coordinator: dict[str, str]
) -> None:
    lone = signed_in("lone")
    _season(lone, coordinator)
    api = lone.put("/api/registration/host", json=HOST | {"capacity": 4, "durations": []})
    form = {k: str(v) for k, v in HOST.items() if k not in ("durations", "capacity")}
    form |= {"capacity": "4", "csrf_token": lone.headers["X-CSRF-Token"]}

    page = lone.post("/praktik/tilmelding/vaert", data=form)

    assert api.status_code == page.status_code == 422
    assert {e["field"] for e in api.json()["errors"]} == {"capacity", "durations"}
    html = page.text
    assert re.search(r'id="f-capacity"[^>]*aria-describedby="e-capacity"', html)
    assert re.search(r'<span class="field-error" id="e-capacity">Må højst være 3\.</span>', html)
    assert 'id="e-durations"' in html and 'href="#f-durations"' in html
    assert 'value="Borgerservice Haslev"' in html  # what was typed stays
    assert lone.get("/api/registration").json()["host"] is None  # nothing was saved


def test_the_host_form_saves_and_shows_the_registration_again(
    signed_in: Client, coordinator: dict[str, str]
) -> None:
    lone = signed_in("lone")
    _season(lone, coordinator)
    form: dict[str, Any] = {k: str(v) for k, v in HOST.items() if k not in ("durations", "unit_id")}
    form |= {"durations": ["1", "3"], "csrf_token": lone.headers["X-CSRF-Token"]}

    saved = lone.post("/praktik/tilmelding/vaert", data=form, follow_redirects=False)
    shown = lone.get(saved.headers["location"])

    assert saved.status_code == 303 and shown.status_code == 200
    assert 'id="saved"' in shown.text
    assert re.search(r'name="durations" value="3" checked', shown.text)
    assert re.search(r'name="capacity" value="2" checked', shown.text)
    host = lone.get("/api/registration").json()["host"]
    assert host["durations"] == [1, 3] and host["unit_id"] == ""


def test_an_intern_without_javascript_names_a_host_by_its_unit(
    signed_in: Client, coordinator: dict[str, str]
) -> None:
    lone, ida = signed_in("lone"), signed_in("ida")
    _season(lone, coordinator)
    host_id = lone.put("/api/registration/host", json=HOST).json()["host_id"]
    form = {k: str(v) for k, v in INTERN.items()}
    form |= {
        "wished_host_1_text": "borgerservice haslev",
        "wished_host_2_text": "Et sted der ikke findes",
        "csrf_token": ida.headers["X-CSRF-Token"],
    }

    page = ida.post("/praktik/tilmelding/praktikant", data=form)

    assert page.status_code == 422
    assert "Værten &#39;Et sted der ikke findes&#39; findes ikke." in page.text
    assert f'name="wished_host_1" value="{host_id}"' in page.text  # the first one was found


def test_after_the_deadline_the_form_is_read_only_with_the_reason(
    signed_in: Client, coordinator: dict[str, str]
) -> None:
    lone = signed_in("lone")
    season_id = _season(lone, coordinator)
    lone.put("/api/registration/host", json=HOST)
    lone.post(
        f"/api/seasons/{season_id}/phase",
        json={"expected": "registration_open"},
        headers=coordinator,
    )

    page = lone.get("/praktik/tilmelding/vaert")
    form = {k: str(v) for k, v in HOST.items() if k != "durations"}
    posted = lone.post(
        "/praktik/tilmelding/vaert", data=form | {"csrf_token": lone.headers["X-CSRF-Token"]}
    )

    assert page.status_code == 200
    assert 'id="registration-closed"' in page.text and "fristen var 15-06-2027" in page.text
    assert "<fieldset disabled>" in page.text and 'id="save-registration"' not in page.text
    assert posted.status_code == 422 and "er lukket" in posted.text


def test_registrations_and_an_import_feed_the_same_review(
    signed_in: Client, coordinator: dict[str, str], week_files: Any
) -> None:
    lone, ida = signed_in("lone"), signed_in("ida")
    season_id = _season(lone, coordinator)
    host_id = lone.put("/api/registration/host", json=HOST).json()["host_id"]
    ida.put("/api/registration/intern", json=INTERN | {"wished_hosts": ["h2", host_id]})
    api = f"/api/seasons/{season_id}"
    files = week_files("hosts", "interns")

    # Ida wishes h2, which only the import brings: before it, her wish is refused.
    imported = lone.post(f"{api}/participants", files=files, headers=coordinator)
    saved = ida.put("/api/registration/intern", json=INTERN | {"wished_hosts": ["h2", host_id]})
    again = lone.post(f"{api}/participants", files=files, headers=coordinator)

    assert imported.status_code == again.status_code == 200
    assert again.json() == {"hosts": 3, "interns": 4}  # the registrations stay
    assert saved.status_code == 200
    lone.post(f"{api}/phase", json={"expected": "registration_open"}, headers=coordinator)
    scenario = lone.post(f"{api}/scenarios", json={"name": "Alle"}, headers=coordinator)
    assert scenario.status_code == 201, scenario.text
    pairs = {p["intern_id"]: p["host_id"] for p in scenario.json()["pairs"]}
    ida_id = ida.get("/api/registration").json()["intern_id"]
    assert pairs.get(ida_id) in ("h2", host_id)
    review = lone.get(f"/praktik/saesoner/{season_id}", headers=coordinator)
    assert "Ida" in review.text and "Borgerservice Haslev" in review.text


def test_every_registration_is_audit_logged(signed_in: Client, coordinator: dict[str, str]) -> None:
    lone = signed_in("lone")
    season_id = _season(lone, coordinator)
    lone.put("/api/registration/host", json=HOST)
    lone.put("/api/registration/host", json=HOST | {"capacity": 1})
    lone.delete("/api/registration/host")

    with _state(lone).store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_table)
            .where(audit_table.c.kind == "season", audit_table.c.record_id == str(season_id))
            .order_by(audit_table.c.seq)
        ).all()
    steps = [(r.action, r.actor_name) for r in rows]
    assert steps[-3:] == [("register", "Lone"), ("register", "Lone"), ("withdraw", "Lone")]
    assert json.loads(rows[-2].changes)["capacity"] == ["2", "1"]


def test_a_registration_is_withdrawn_on_its_page_until_the_deadline(
    signed_in: Client, coordinator: dict[str, str]
) -> None:
    lone = signed_in("lone")
    _season(lone, coordinator)
    lone.put("/api/registration/host", json=HOST)
    page = lone.get("/praktik/tilmelding/vaert")
    token = {"csrf_token": lone.headers["X-CSRF-Token"]}

    gone = lone.post("/praktik/tilmelding/vaert/traek-tilbage", data=token)

    assert 'id="withdraw"' in page.text
    assert gone.status_code == 200 and "trukket tilbage" in gone.text
    assert lone.get("/api/registration").json()["host"] is None
    assert lone.post("/praktik/tilmelding/andet/traek-tilbage", data=token).status_code == 404
