"""Versions and conflicts, the audit log, freshness and the Danish edit pages (TestClient; the
sign-in goes through the mock OpenID provider of tests/oidc.py)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.audit import Actor
from indexer.erasure import ERASED
from indexer.errors import VersionConflictError
from indexer.freshness import Freshness
from indexer.records import Record
from indexer.store import version_of
from tests.folders import assert_no_traces_soon

pytest_plugins = ("tests.conftest_service", "tests.oidc")

SignedIn = Callable[..., TestClient]
EDITOR = ("anne", "tvaers-redaktoerer", "hjemmeplejen-nat")  # edits u001


def _csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF token in the form"
    return found.group(1)


def _version(client: TestClient, path: str) -> str:
    found = re.search(r'name="version" value="([^"]*)"', client.get(path).text)
    assert found
    return found.group(1)


# Versions -----------------------------------------------------------------------------------


def test_get_has_an_etag_and_a_stale_if_match_gets_409_with_both_versions(
    client: TestClient, auth: dict[str, str]
) -> None:
    first = client.get("/api/units/u001")
    etag = first.headers["etag"]
    assert etag == f'"{first.json()["version"]}"'
    fresh = client.put(
        "/api/units/u001",
        json={"description": "Ny tekst om natten."},
        headers=auth | {"If-Match": etag},
    )
    assert fresh.status_code == 200
    assert fresh.json()["version"] != first.json()["version"]
    stale = client.put(
        "/api/units/u001", json={"description": "Min tekst."}, headers=auth | {"If-Match": etag}
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["your_version"] == first.json()["version"]
    assert body["stored_version"] == fresh.json()["version"]
    assert body["your_fields"]["description"] == "Min tekst."
    assert body["stored_fields"]["description"] == "Ny tekst om natten."
    assert client.get("/api/units/u001").json()["description"] == "Ny tekst om natten."
    # Without If-Match a PUT still just writes (as before); with * too.
    assert (
        client.put("/api/units/u001", json={"description": "X."}, headers=auth).status_code == 200
    )
    for path in ("/api/people/p001", "/api/trials/t001"):
        read = client.get(path)
        assert read.headers["etag"] == f'"{read.json()["version"]}"'
        wrong = client.put(path, json={}, headers=auth | {"If-Match": '"0000"'})
        assert wrong.status_code == 409


def test_of_two_writers_expecting_the_same_version_exactly_one_wins(client: TestClient) -> None:
    state = client.app.state.tvaers  # type: ignore[attr-defined]
    unit = state.record("unit", "u002")
    expected = version_of(unit)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def write(n: int) -> None:
        record = Record("unit", "u002", unit.fields | {"description": f"Skriver nummer {n}."})
        barrier.wait()
        try:
            state.save(record, actor=Actor("t", f"t{n}"), expected=expected)
            outcomes.append("won")
        except VersionConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "won"]


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=5),
    st.text(max_size=8),
    st.text(max_size=20),
)
def test_a_version_changes_with_any_field_and_only_then(
    fields: dict[str, str], name: str, value: str
) -> None:
    record = Record("unit", "u", fields)
    same = Record("unit", "u", dict(reversed(list(fields.items()))))
    assert version_of(record) == version_of(same)  # order of fields does not matter
    changed = Record("unit", "u", fields | {name: value})
    assert (version_of(changed) == version_of(record)) == (changed.fields == record.fields)


# Audit log ----------------------------------------------------------------------------------


def test_the_audit_log_has_who_when_and_old_to_new_and_is_for_admins(
    client: TestClient, auth: dict[str, str], key_headers: dict[str, dict[str, str]]
) -> None:
    old = client.get("/api/units/u001").json()["description"]
    imported = client.get("/api/audit", headers=auth).json()["total"]  # the import's own rows
    client.put("/api/units/u001", json={"description": "Ny beskrivelse."}, headers=auth)
    page = client.get("/api/audit", headers=auth).json()
    assert page["total"] == imported + 1
    entry = page["entries"][0]
    assert (entry["kind"], entry["id"], entry["action"]) == ("unit", "u001", "update")
    assert entry["actor_name"] == "API-nøgle test-admin"
    assert entry["changes"] == {"description": [old, "Ny beskrivelse."]}
    # The people of the unit had their documents rewritten, not their fields: no rows.
    assert client.get("/api/audit").status_code == 401
    assert client.get("/api/audit", headers=key_headers["test-editor"]).status_code == 403


def test_erasing_a_person_removes_their_values_from_the_log(
    client: TestClient, auth: dict[str, str], home: Path
) -> None:
    body = {
        "id": "p900",
        "name": "Thorvald Knudsgaard",
        "title": "Natsygeplejerske",
        "expertise": ["sår"],
        "unit_id": "u001",
        "email": "thorvald.knudsgaard@faxe.dk",
    }
    assert client.post("/api/people", json=body, headers=auth).status_code == 201
    client.put("/api/people/p900", json={"title": "Overlæge Knudsgaard"}, headers=auth)
    client.put(
        "/api/units/u001",
        json={
            "contact_name": "Thorvald Knudsgaard",
            "contact_email": "thorvald.knudsgaard@faxe.dk",
        },
        headers=auth,
    )
    database = home / "tvaers.db"
    assert (
        b"knudsgaard"
        in database.read_bytes().lower() + (home / "tvaers.db-wal").read_bytes().lower()
    )
    assert client.delete("/api/people/p900", headers=auth).status_code == 200
    entries = client.get("/api/audit", headers=auth).json()["entries"]
    about = [e for e in entries if e["id"] == "p900"]
    assert [e["action"] for e in about] == ["delete", "update", "create"]
    for e in about:  # the facts stay: when, who, action, which fields
        assert e["changes"] and all(v in (ERASED, None) for vs in e["changes"].values() for v in vs)
    assert set(about[-1]["changes"]) >= {"name", "email", "title"}
    unit_rows = [e for e in entries if e["id"] == "u001"]
    assert unit_rows and "knudsgaard" not in str(unit_rows).lower()
    # No file in the home folder holds the name any more (database, its WAL, snapshots).
    assert_no_traces_soon(home, [b"knudsgaard", b"thorvald"])
    with sqlite3.connect(database) as conn:
        assert conn.execute("select count(*) from audit_log").fetchone()[0] >= 5


# Freshness ----------------------------------------------------------------------------------


def test_imported_records_are_confirmed_by_import_and_a_save_by_its_writer(
    client: TestClient, auth: dict[str, str]
) -> None:
    unit = client.get("/api/units/u001").json()
    assert unit["confirmed_by"] == "import" and unit["confirmed_at"]
    assert unit["people"][0]["confirmed_by"] == "import"
    assert client.get("/api/trials/t001").json()["confirmed_by"] == "import"
    client.put("/api/units/u001", json={"description": "Bekræftet ved at gemme."}, headers=auth)
    assert client.get("/api/units/u001").json()["confirmed_by"] == "API-nøgle test-admin"
    hits = client.get("/api/search", params={"q": "Bekræftet ved at gemme"}).json()["hits"]
    assert hits[0]["id"] == "u001" and hits[0]["confirmed_by"] == "API-nøgle test-admin"
    assert hits[0]["confirmed_at"]


# Edit pages ---------------------------------------------------------------------------------


def test_an_editor_edits_their_unit_and_search_has_it_at_once(signed_in: SignedIn) -> None:
    client = signed_in(*EDITOR)
    page = client.get("/enheder/u001").text
    assert 'id="edit-unit-u001"' in page and "Sidst bekræftet" in page and "af import" in page
    token = _csrf(client, "/rediger/unit/u001")
    version = _version(client, "/rediger/unit/u001")
    form = {
        "csrf_token": token,
        "version": version,
        "description": "Vi passer på borgerne med nattelys og akvarier.",
        "competencies": "nattelys; akvarier",
        "contact_name": "Anne Holm",
        "contact_email": "anne.holm@faxe.dk",
    }
    assert client.app.state.tvaers.warmed.wait(60)  # type: ignore[attr-defined]  # not timed
    started = time.monotonic()
    saved = client.post("/rediger/unit/u001", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/enheder/u001"
    hits = client.get("/api/search", params={"q": "akvarier nattelys"}).json()["hits"]
    assert time.monotonic() - started < 1.0
    assert hits[0]["id"] == "u001"
    page = client.get("/enheder/u001").text
    assert "nattelys" in page and "af Anne" in page
    log = client.app.state.tvaers.audit.of_record("unit", "u001")  # type: ignore[attr-defined]
    assert log[-1].actor_name == "Anne" and "competencies" in log[-1].changes


def test_no_edit_button_on_another_unit_and_a_direct_post_gets_403(signed_in: SignedIn) -> None:
    client = signed_in(*EDITOR)
    page = client.get("/enheder/u002").text
    assert "Rediger" not in page and "Det passer stadig" not in page
    token = _csrf(client, "/rediger/unit/u001")
    for path in (
        "/rediger/unit/u002",
        "/bekraeft/unit/u002",
        "/enheder/u002/ny/person",
        "/rediger/person/p002/slet",
    ):
        refused = client.post(
            path, data={"csrf_token": token, "version": "x", "description": "Hack."}
        )
        assert refused.status_code == 403, path
    assert client.get("/rediger/unit/u002").status_code == 403
    anonymous = signed_in(None)
    assert "Rediger" not in anonymous.get("/enheder/u001").text
    refused = anonymous.post(
        "/rediger/unit/u001", data={"description": "x"}, follow_redirects=False
    )
    assert refused.status_code in (401, 303), refused.text
    assert client.get("/api/units/u001").json()["description"] != "x"
    # Without the form's CSRF token the editor's own unit refuses too.
    assert client.post("/rediger/unit/u001", data={"description": "x"}).status_code == 403


def test_validation_errors_appear_beside_the_field_with_the_values_kept(
    signed_in: SignedIn,
) -> None:
    client = signed_in(*EDITOR)
    token = _csrf(client, "/rediger/unit/u001")
    form = {
        "csrf_token": token,
        "version": _version(client, "/rediger/unit/u001"),
        "description": "",
        "competencies": "nattevagt",
        "contact_name": "Anne",
        "contact_email": "ikke-en-mail",
    }
    page = client.post("/rediger/unit/u001", data=form)
    assert page.status_code == 422
    assert 'aria-describedby="e-description"' in page.text
    assert 'id="e-contact_email"' in page.text and "navn@kommune.dk" in page.text
    assert 'value="ikke-en-mail"' in page.text and 'value="nattevagt"' in page.text
    trial = {
        "csrf_token": token,
        "version": _version(client, "/rediger/trial/t001"),
        "title": "T",
        "description": "D",
        "status": "måske",
        "year": "20x",
        "learnings": "",
    }
    page = client.post("/rediger/trial/t001", data=trial)
    assert page.status_code == 422 and 'id="e-status"' in page.text and 'id="e-year"' in page.text


def test_a_stale_save_shows_both_versions_and_can_be_saved_on_top(
    signed_in: SignedIn, auth: dict[str, str]
) -> None:
    client = signed_in(*EDITOR)
    token = _csrf(client, "/rediger/unit/u001")
    version = _version(client, "/rediger/unit/u001")
    other = client.put("/api/units/u001", json={"description": "Den andens tekst."}, headers=auth)
    assert other.status_code == 200
    form = {
        "csrf_token": token,
        "version": version,
        "description": "Min tekst.",
        "competencies": "",
        "contact_name": "Anne Holm",
        "contact_email": "anne.holm@faxe.dk",
    }
    page = client.post("/rediger/unit/u001", data=form)
    assert page.status_code == 409
    assert "Din ændring" in page.text and "Den gemte version" in page.text
    assert "Min tekst." in page.text and "Den andens tekst." in page.text
    assert client.get("/api/units/u001").json()["description"] == "Den andens tekst."
    on_top = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    assert on_top["version"] == other.json()["version"]
    saved = client.post("/rediger/unit/u001", data=on_top, follow_redirects=False)
    assert saved.status_code == 303
    assert client.get("/api/units/u001").json()["description"] == "Min tekst."


def test_add_edit_and_remove_people_and_trials(signed_in: SignedIn) -> None:
    client = signed_in(*EDITOR)
    token = _csrf(client, "/enheder/u001/ny/person")
    added = client.post(
        "/enheder/u001/ny/person",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "id": "p777",
            "name": "Birthe Ravnsholt",
            "title": "Nattevagt",
            "expertise": "sengelejer; lift",
            "email": "birthe@faxe.dk",
        },
    )
    assert added.status_code == 303
    assert client.get("/api/people/p777").json()["confirmed_by"] == "Anne"
    again = client.post(
        "/enheder/u001/ny/person",
        data={"csrf_token": token, "id": "p777", "name": "X", "expertise": "y"},
    )
    assert again.status_code == 409 and "allerede brugt" in again.text
    trial = client.post(
        "/enheder/u001/ny/trial",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "id": "t777",
            "title": "Lift om natten",
            "description": "Vi prøver loftlifte.",
            "status": "planlagt",
            "year": "2026",
            "learnings": "",
        },
    )
    assert trial.status_code == 303
    edit = {
        "csrf_token": token,
        "version": _version(client, "/rediger/trial/t777"),
        "title": "Lift om natten",
        "description": "Vi prøver loftlifte.",
        "status": "afsluttet",
        "year": "2026",
        "learnings": "Færre løft.",
    }
    assert client.post("/rediger/trial/t777", data=edit, follow_redirects=False).status_code == 303
    assert client.get("/api/trials/t777").json()["status"] == "afsluttet"
    confirm_page = client.get("/rediger/person/p777/slet")
    assert confirm_page.status_code == 200 and "Ja, fjern" in confirm_page.text
    assert client.get("/api/people/p777").status_code == 200  # nothing removed before the click
    version = _version(client, "/rediger/person/p777/slet")
    gone = client.post(
        "/rediger/person/p777/slet",
        data={"csrf_token": token, "version": version},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    assert client.get("/api/people/p777").status_code == 404
    assert "Ravnsholt" not in str(client.get("/api/search", params={"q": "sengelejer lift"}).json())


def test_det_passer_stadig_confirms_and_stale_records_are_flagged(signed_in: SignedIn) -> None:
    client = signed_in(*EDITOR)
    state = client.app.state.tvaers  # type: ignore[attr-defined]
    long_ago = dt.datetime(2020, 1, 2)
    with state.store.engine.begin() as conn:
        Freshness.stamp(
            conn, [("unit", "u001"), ("trial", "t001"), ("unit", "u002")], "import", long_ago
        )
    mine = client.get("/mine").text
    assert "Hjemmeplejen Nat" in mine and "Sidst bekræftet 02-01-2020 af import" in mine
    assert "Skærmbesøg om natten" in mine and "Borgerservice Haslev" not in mine
    token = _csrf(client, "/rediger/unit/u001")
    done = client.post("/bekraeft/unit/u001", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    today = dt.datetime.now(dt.UTC).strftime("%d-%m-%Y")
    assert f"Sidst bekræftet {today} af Anne" in client.get("/enheder/u001").text
    assert "Hjemmeplejen Nat</a> (visitkort" not in client.get("/mine").text
    assert client.app.state.tvaers.audit.of_record("unit", "u001")[-1].action == "confirm"  # type: ignore[attr-defined]
    assert client.get("/admin/foraeldede").status_code == 403
    admin = signed_in("bo", "tvaers-admins")
    listed = admin.get("/admin/foraeldede").text
    assert "Borgerservice Haslev" in listed and "Skærmbesøg om natten" in listed
    assert (
        admin.get("/admin/log").status_code == 200 and "bekræftet" in admin.get("/admin/log").text
    )
    assert client.get("/admin/log").status_code == 403


# One validation layer with the API (issue 21, item 7) -----------------------------------------


def test_the_edit_form_refuses_nul_and_strips_bidi_controls_as_the_api_does(
    signed_in: SignedIn,
) -> None:
    client = signed_in(*EDITOR)
    token = _csrf(client, "/rediger/unit/u001")
    form = {
        "csrf_token": token,
        "version": _version(client, "/rediger/unit/u001"),
        "description": "Nattevagt\x00 med tablets.",
        "competencies": "skærmbesøg",
        "contact_name": "Anne Holm",
        "contact_email": "anne.holm@faxe.dk",
    }
    refused = client.post("/rediger/unit/u001", data=form)
    assert refused.status_code == 422 and "NUL" in refused.text
    form["description"] = "Nattevagt \u202emed\u2066 tablets\u2069."
    saved = client.post("/rediger/unit/u001", data=form, follow_redirects=False)
    assert saved.status_code == 303
    stored = client.get("/api/units/u001").json()["description"]
    assert stored == "Nattevagt med tablets."


def test_the_new_record_form_uses_the_apis_id_rule(signed_in: SignedIn) -> None:
    client = signed_in(*EDITOR)
    token = _csrf(client, "/enheder/u001/ny/person")
    person = {"csrf_token": token, "name": "Ny", "expertise": "MitID", "email": ""}
    for bad in ("-p1", "p" * 65, ".skjult"):
        refused = client.post("/enheder/u001/ny/person", data={**person, "id": bad})
        assert refused.status_code == 422, bad


def test_the_delete_form_checks_the_version(signed_in: SignedIn) -> None:
    client = signed_in(*EDITOR)
    token = _csrf(client, "/rediger/person/p001/slet")
    stale = client.post(
        "/rediger/person/p001/slet",
        data={"csrf_token": token, "version": "forældet"},
        follow_redirects=False,
    )
    assert stale.status_code == 409 and "ændret" in stale.text
    assert client.get("/api/people/p001").status_code == 200
