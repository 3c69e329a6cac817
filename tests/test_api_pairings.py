"""POST /api/pairings from uploads and JSON; downloads as CSV and Excel; bad input."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

pytest_plugins = ("tests.conftest_service",)


@pytest.fixture
def client(app: FastAPI, key_headers: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    """Pairing needs the coordinator role: these tests send a coordinator's key."""
    with TestClient(app, headers=key_headers["test-coordinator"]) as test_client:
        yield test_client


# The `week_files` fixture: multipart uploads of the week's files, by key.
WeekFiles = Callable[..., dict[str, tuple[str, bytes, str]]]


def _json_week(week_rows: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    def listed(value: str) -> list[str]:
        return [v for v in value.split(";") if v]

    hosts = [
        {**h, "capacity": int(h["capacity"]), "durations": [int(d) for d in listed(h["durations"])]}
        for h in week_rows["hosts"]
    ]
    interns = [
        {
            **i,
            "duration": int(i["duration"]),
            "wished_hosts": listed(i["wished_hosts"]),
            "excluded_hosts": listed(i["excluded_hosts"]),
        }
        for i in week_rows["interns"]
    ]
    return {"hosts": hosts, "interns": interns, "locks": week_rows["locks"], "mode": "optimal"}


def test_pairing_from_uploads(client: TestClient, week_files: WeekFiles) -> None:
    response = client.post(
        "/api/pairings", files=week_files("hosts", "interns", "locks"), data={"mode": "optimal"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["stats"]["interns"] == 3 and body["stats"]["matched"] == 3
    assert body["stats"]["locks_kept"] == 1
    host_of = {p["intern_id"]: p["host_id"] for p in body["pairs"]}
    assert host_of == {"i1": "h1", "i2": "h2", "i3": "h1"}
    assert all(p["reason"] for p in body["pairs"])
    assert body["unmatched"] == []
    assert body["downloads"]["csv"] == f"/api/pairings/{body['id']}/download?format=csv"


def test_pairing_stable_mode(client: TestClient, week_files: WeekFiles) -> None:
    response = client.post(
        "/api/pairings", files=week_files("hosts", "interns"), data={"mode": "stable"}
    )
    assert response.status_code == 200
    assert response.json()["stats"]["mode"] == "stable"
    assert response.json()["stats"]["blocking_pairs"] == 0


def test_pairing_from_json(
    client: TestClient,
    week_rows: dict[str, list[dict[str, str]]],
    week_files: WeekFiles,
) -> None:
    from_json = client.post("/api/pairings", json=_json_week(week_rows)).json()
    from_files = client.post("/api/pairings", files=week_files("hosts", "interns", "locks")).json()
    assert from_json["pairs"] == from_files["pairs"]
    assert from_json["stats"] == from_files["stats"]


def test_pairing_download_csv(client: TestClient, week_files: WeekFiles) -> None:
    body = client.post("/api/pairings", files=week_files("hosts", "interns")).json()
    response = client.get(body["downloads"]["csv"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="praktikforslag.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["Praktikantens id"]: r["Værtens id"] for r in rows} == {
        p["intern_id"]: p["host_id"] for p in body["pairs"]
    }


def test_pairing_download_excel(client: TestClient, week_files: WeekFiles) -> None:
    body = client.post("/api/pairings", files=week_files("hosts", "interns")).json()
    response = client.get(body["downloads"]["xlsx"])
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Forslag", "Uden plads", "Overblik", "Pladser"]


def test_pairing_download_not_found(client: TestClient) -> None:
    response = client.get("/api/pairings/ukendt/download", params={"format": "csv"})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Forslaget findes ikke (længere)")
    assert "Lav forslaget igen" in response.json()["detail"]


def test_pairing_download_bad_format(client: TestClient) -> None:
    response = client.get("/api/pairings/ukendt/download", params={"format": "pdf"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "format"


def test_pairing_missing_interns(client: TestClient, week_files: WeekFiles) -> None:
    response = client.post("/api/pairings", files=week_files("hosts"))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "interns", "message": "skal udfyldes"}]


def test_pairing_bad_mode(client: TestClient, week_files: WeekFiles) -> None:
    response = client.post(
        "/api/pairings", files=week_files("hosts", "interns"), data={"mode": "tilfældig"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "mode"


def test_pairing_bad_file(client: TestClient, week_files: WeekFiles) -> None:
    files = week_files("interns")
    files["hosts"] = ("hosts.csv", b"id,organisation\nh1,Faxe Kommune\n", "text/csv")
    response = client.post("/api/pairings", files=files)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert {p["column"] for p in problems} >= {"unit_name", "capacity", "durations", "offer"}
    assert {p["file"] for p in problems} <= {"hosts.csv", "interns.csv"}
    assert response.json()["detail"].startswith("Data kunne ikke indlæses")


def test_pairing_binary_file(client: TestClient, week_files: WeekFiles) -> None:
    files = week_files("interns")
    files["hosts"] = ("hosts.csv", b"\x00\x01\x02binary", "application/octet-stream")
    response = client.post("/api/pairings", files=files)
    assert response.status_code == 422
    assert "binær" in response.json()["problems"][0]["message"]


def test_pairing_upload_too_large(client: TestClient, week_files: WeekFiles) -> None:
    files = week_files("interns")
    files["hosts"] = ("hosts.csv", b"id," + b"x" * (5 * 1024 * 1024), "text/csv")
    response = client.post("/api/pairings", files=files)
    assert response.status_code == 413
    assert response.json()["detail"] == "Filen 'hosts.csv' er for stor: højst 5 MB pr. fil."


def test_pairing_lock_breaking_a_rule(
    client: TestClient, week_rows: dict[str, list[dict[str, str]]]
) -> None:
    body = _json_week(week_rows)
    body["locks"] = [{"intern_id": "i2", "host_id": "h1"}]  # same organisation
    response = client.post("/api/pairings", json=body)
    assert response.status_code == 422
    assert "egen organisation" in response.json()["problems"][0]["message"]


def test_pairing_json_validation(
    client: TestClient, week_rows: dict[str, list[dict[str, str]]]
) -> None:
    body = _json_week(week_rows)
    body["hosts"][0]["capacity"] = 7
    response = client.post("/api/pairings", json=body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "hosts.0.capacity", "message": "må højst være 3"}
    ]


def test_pairing_invalid_json(client: TestClient) -> None:
    response = client.post(
        "/api/pairings", content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "er ikke gyldig JSON"


def test_pairing_wrong_content_type(client: TestClient) -> None:
    response = client.post("/api/pairings", content=b"hej", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["detail"] == (
        "Send ugen som multipart/form-data (filer) eller som application/json."
    )


def test_pairing_needs_the_coordinator_role(
    app: FastAPI, key_headers: dict[str, dict[str, str]], week_files: WeekFiles
) -> None:
    """A first upload costs ~14 s of embedding: only coordinators (and admins) may run one."""
    with TestClient(app) as anonymous:
        response = anonymous.post("/api/pairings", files=week_files("hosts", "interns"))
        assert response.status_code == 401
        assert response.json()["detail"] == (
            "Det kræver, at du er logget ind (eller sender en API-nøgle)."
        )
        for name in ("test-reader", "test-editor"):
            response = anonymous.post(
                "/api/pairings", files=week_files("hosts", "interns"), headers=key_headers[name]
            )
            assert response.status_code == 403
            assert "Det kræver rollen koordinator" in response.json()["detail"]
        admin = anonymous.post(
            "/api/pairings",
            files=week_files("hosts", "interns"),
            headers=key_headers["test-admin"],
        )
        assert admin.status_code == 200 and admin.json()["stats"]["interns"] == 3
        download = admin.json()["downloads"]["csv"]
        assert anonymous.get(download).status_code == 401  # the proposal names interns


def test_a_proposal_is_its_makers_and_the_admins_only(
    app: Any,
    key_headers: dict[str, dict[str, str]],
    home: Path,
    key_factory: Callable[..., dict[str, str]],
    week_files: WeekFiles,
) -> None:
    """Issue 21, item 13: another coordinator gets 404 for the id, as if it were gone; the maker
    and admins download and delete it."""
    from service.auth.roles import Role

    mine, admin = key_headers["test-coordinator"], key_headers["test-admin"]
    other = key_factory(home, "anden-koordinator", Role.coordinator)
    with TestClient(app) as client:
        made = client.post("/api/pairings", files=week_files("hosts", "interns"), headers=mine)
        download = made.json()["downloads"]["csv"]
        pid = made.json()["id"]
        assert client.get(download, headers=other).status_code == 404
        assert client.delete(f"/api/pairings/{pid}", headers=other).status_code == 404
        assert client.get(download, headers=mine).status_code == 200
        assert client.get(download, headers=admin).status_code == 200
        assert client.delete(f"/api/pairings/{pid}", headers=admin).status_code == 200
        assert client.get(download, headers=mine).status_code == 404
