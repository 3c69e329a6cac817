"""The search-gap page and API signed in through the test OpenID provider: coordinators and
admins see them, readers and unit editors are refused; erasing needs an admin."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

pytest_plugins = ("tests.conftest_service", "tests.oidc")
PAGE = {"Accept": "text/html"}


def test_readers_and_editors_are_refused_coordinators_see_the_gaps(
    signed_in: Callable[..., TestClient],
) -> None:
    for sub, group in (("rita", "tvaers-laesere"), ("anne", "tvaers-redaktoerer")):
        client = signed_in(sub, group)
        assert client.get("/api/search-gaps").status_code == 403
        assert client.get("/soegehuller", headers=PAGE).status_code == 403
    coordinator = signed_in("kim", "tvaers-koordinatorer")
    for _ in range(2):  # the default threshold: asked twice that day
        coordinator.get("/api/search", params={"q": "xqzv blorp"})
    body = coordinator.get("/api/search-gaps").json()
    assert [(g["query"], g["count"]) for g in body["gaps"]] == [("xqzv blorp", 2)]
    page = coordinator.get("/soegehuller", headers=PAGE)
    assert page.status_code == 200 and "xqzv blorp" in page.text
    assert coordinator.delete("/api/search-gaps").status_code == 403
    admin = signed_in("ada", "tvaers-admins")
    assert admin.delete("/api/search-gaps").json() == {"deleted": 1}
