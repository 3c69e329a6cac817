"""Sign-in, roles, CSRF, API keys and the editors table, without a browser (TestClient against the
mock OpenID provider of tests/oidc.py)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

pytest_plugins = ("tests.conftest_service", "tests.oidc")

SignedIn = Callable[..., TestClient]


def test_sign_in_gives_the_mapped_role_and_units(signed_in: SignedIn) -> None:
    client = signed_in("anne", "tvaers-redaktoerer", "hjemmeplejen-nat")
    page = client.get("/").text
    assert "Anne" in page and "(enhedsredaktør)" in page
    assert 'id="sign-out"' in page


# Contact details ------------------------------------------------------------------------------


def test_contact_details_are_hidden_from_anonymous_visitors(
    client: TestClient, key_headers: dict[str, dict[str, str]]
) -> None:
    """No session and no key: no e-mail or phone in pages, hits, unit detail or people."""
    reader = key_headers["test-reader"]
    unit = client.get("/api/units/u001").json()
    assert unit["contact_name"] == "Anne Holm" and unit["contact_email"] == ""
    assert "phone" not in unit["metadata"] and unit["people"][0]["email"] == ""
    assert client.get("/api/people/p001").json()["email"] == ""
    hits = client.get("/api/search", params={"q": "skærmbesøg nattevagt"}).json()["hits"]
    assert hits and all(h["contact"]["email"] == "" and h["contact"]["phone"] == "" for h in hits)
    assert all("email" not in h["metadata"] and "contact_email" not in h["metadata"] for h in hits)
    for path in ("/enheder/u001", "/?q=sk%C3%A6rmbes%C3%B8g+nattevagt"):
        page = client.get(path).text
        assert "anne.holm@faxe.dk" not in page and "56 20 30 00" not in page
        assert "ingeborg.skovsgaard@faxe.dk" not in page

    # The same with a key (any role): the details are there.
    shown = client.get("/api/units/u001", headers=reader).json()
    assert shown["contact_email"] == "anne.holm@faxe.dk"
    assert shown["metadata"]["phone"] == "56 20 30 00"
    assert client.get("/api/people/p001", headers=reader).json()["email"] == (
        "ingeborg.skovsgaard@faxe.dk"
    )
    hits = client.get("/api/search", params={"q": "skærmbesøg nattevagt"}, headers=reader).json()[
        "hits"
    ]
    assert "anne.holm@faxe.dk" in {h["contact"]["email"] for h in hits}


def test_contact_details_are_shown_to_a_signed_in_reader(signed_in: SignedIn) -> None:
    client = signed_in("rita", "tvaers-laesere")
    assert "anne.holm@faxe.dk" in client.get("/enheder/u001").text
