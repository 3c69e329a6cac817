"""The filter values are worked out once per index version, and follow every write."""

from __future__ import annotations

from fastapi.testclient import TestClient

pytest_plugins = ("tests.conftest_service",)

UNIT = {
    "id": "u77",
    "name": "Kystsikring",
    "organisation": "Kystdirektoratet",
    "sector": "stat",
    "area": "Klima og kyst",
    "description": "Vi rådgiver kommuner om diger og stormflod.",
    "competencies": ["kystsikring"],
    "contact_name": "Eva Strand",
    "contact_email": "eva@kyst.dk",
}


def test_a_new_organisation_and_area_appear_after_the_write(
    client: TestClient, auth: dict[str, str]
) -> None:
    before = client.get("/api/facets").json()
    assert "Kystdirektoratet" not in before["organisations"]
    assert client.post("/api/units", json=UNIT, headers=auth).status_code == 201
    after = client.get("/api/facets").json()
    assert "Kystdirektoratet" in after["organisations"] and "Klima og kyst" in after["areas"]
    assert "Kystdirektoratet" in client.get("/").text  # the page's filter list too

    assert client.delete("/api/units/u77", headers=auth).status_code in (200, 204)
    assert client.get("/api/facets").json() == before
