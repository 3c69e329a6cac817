"""Text as it enters: bidi controls stripped, NUL refused in Danish, PUT that can be retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from indexer.errors import DataError
from indexer.loading import load_data_folder
from indexer.records import clean_text
from indexer.tables import read_table_bytes
from tests.test_tables import UNIT_COLUMNS, csv_text, unit

pytest_plugins = ("tests.conftest_service",)

RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"
SPOOFED = f"Ole {RLO}fdp.exe{PDI} Bak"  # shows as "Ole exe.pdf Bak" before the fix
NUL_WORDS = "NUL-tegn"


@pytest.mark.parametrize(
    "control", [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
)
def test_every_bidi_control_is_stripped(control: str) -> None:
    assert clean_text(f"Mette{control} Olsen") == "Mette Olsen"


def test_text_is_nfc_normalised() -> None:
    assert clean_text("Sø\u0301ren") == "Sǿren" and clean_text("A\u030a") == "Å"


def test_csv_names_lose_bidi_controls_and_nul_is_located(tmp_path: Path) -> None:
    rows = [unit(name=SPOOFED), unit("u2", contact_name=f"{LRI}Anne{PDI}")]
    (tmp_path / "units.csv").write_text(csv_text(UNIT_COLUMNS, rows), encoding="utf-8")
    units = load_data_folder(tmp_path).units
    assert [u.get("name") for u in units] == ["Ole fdp.exe Bak", "Hjemmeplejen Haslev"]
    assert units[1].get("contact_name") == "Anne"

    data = csv_text(UNIT_COLUMNS, [unit(), unit("u2", name="Borger\x00service")]).encode()
    with pytest.raises(DataError) as caught:
        read_table_bytes(data, name="units.csv")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (3, "name") and NUL_WORDS in problem.message


def _person(**overrides: Any) -> dict[str, Any]:
    body = {
        "id": "p60",
        "name": SPOOFED,
        "title": f"Jura{RLO}konsulent",
        "unit_id": "u003",
        "expertise": [f"udbud{PDI}"],
        "email": "ole@faxe.dk",
    }
    return body | overrides


def test_api_strips_bidi_controls(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/api/people", json=_person(), headers=auth)
    assert response.status_code == 201, response.text
    person = client.get("/api/people/p60").json()
    assert person["name"] == "Ole fdp.exe Bak" and person["title"] == "Jurakonsulent"
    assert person["expertise"] == ["udbud"]
    assert RLO not in client.get("/api/search", params={"q": "fdp.exe"}).text


@pytest.mark.parametrize("field", ["name", "title", "email"])
def test_api_refuses_nul_in_danish(client: TestClient, auth: dict[str, str], field: str) -> None:
    response = client.post("/api/people", json=_person(**{field: "Ole\x00Bak"}), headers=auth)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == field and NUL_WORDS in error["message"]
    assert client.get("/api/people/p60").status_code == 404


def test_pairing_json_names_lose_bidi_controls(
    client: TestClient, auth: dict[str, str], week_rows: dict[str, list[dict[str, str]]]
) -> None:
    hosts = [
        {
            **h,
            "capacity": int(h["capacity"]),
            "durations": [int(d) for d in h["durations"].split(";")],
        }
        for h in week_rows["hosts"]
    ]
    interns = [
        {
            **{k: v for k, v in i.items() if k in ("id", "organisation", "sector", "wish")},
            "name": f"{RLO}{i['name']}",
            "duration": int(i["duration"]),
        }
        for i in week_rows["interns"]
    ]
    response = client.post("/api/pairings", json={"hosts": hosts, "interns": interns}, headers=auth)
    assert response.status_code == 200, response.text
    names = [p["intern_name"] for p in response.json()["pairs"]]
    assert names and not any(RLO in n for n in names)


# PUT creates or updates, so a retry is harmless ---------------------------------------------


def test_put_of_a_new_id_creates_and_a_retry_changes_nothing(
    client: TestClient, auth: dict[str, str]
) -> None:
    body = {k: v for k, v in _person(name="Ole Bak").items() if k != "id"}
    first = client.put("/api/people/p61", json=body, headers=auth)
    assert first.status_code == 201, first.text
    again = client.put("/api/people/p61", json=body, headers=auth)
    assert again.status_code == 200
    # The record and its version are unchanged; the retry only confirms it again (a save by its
    # writer counts as »Det passer stadig«), so confirmed_at may move on, never back.
    before, after = first.json(), again.json()
    assert after["confirmed_at"] >= before["confirmed_at"]
    assert {k: v for k, v in after.items() if k != "confirmed_at"} == {
        k: v for k, v in before.items() if k != "confirmed_at"
    }
    assert client.get("/api/search", params={"q": "Ole Bak"}).json()["hits"][0]["id"] == "p61"


def test_put_of_a_new_id_needs_what_post_needs(client: TestClient, auth: dict[str, str]) -> None:
    response = client.put("/api/people/p62", json={"title": "Jurist"}, headers=auth)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {"name", "unit_id"}
    assert client.get("/api/people/p62").status_code == 404


def test_put_of_a_new_unit_with_a_bad_id_is_refused(
    client: TestClient, auth: dict[str, str]
) -> None:
    body = {"name": "Ny enhed", "organisation": "Faxe Kommune", "sector": "kommune"}
    response = client.put(
        "/api/units/ny%20enhed", json=body | {"description": "Vi gør noget."}, headers=auth
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["id"]
