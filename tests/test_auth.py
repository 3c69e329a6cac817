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
