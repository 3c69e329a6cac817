"""Test plugin: a real OpenID provider (oidc-provider-mock) on a free 127.0.0.1 port, settings
that point tvaers at it, and sign-in helpers for TestClient and for playwright.

Test modules load it with `pytest_plugins = ("tests.conftest_service", "tests.oidc")`. The mock
lets any client id/secret in and shows a form where the user types a subject; the claims of that
subject (groups, e-mail, name) are set beforehand with `set_claims`.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

# Groups the test provider hands out and what tvaers' settings map them to.
GROUP_ROLES = {
    "tvaers-laesere": "reader",
    "tvaers-redaktoerer": "unit_editor",
    "tvaers-koordinatorer": "coordinator",
    "tvaers-admins": "admin",
}
GROUP_UNITS = {"hjemmeplejen-nat": ["u001"], "borgerservice": ["u002"]}
SESSION_SECRET = "test-session-secret-that-is-long-enough-0123456789"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[str]:
    """The provider's issuer URL (http: tests allow plain transport for authlib both ends)."""
    import oidc_provider_mock
    import werkzeug.serving

    before = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(require_nonce=False), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        if before is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = before


def oidc_settings(provider: str, **more: Any) -> dict[str, Any]:
    """Settings that sign in against the test provider (pass to settings_factory)."""
    return {
        "oidc_issuer": provider,
        "oidc_client_id": "tvaers-test",
        "oidc_client_secret": "tvaers-test-secret",
        "session_secret": SESSION_SECRET,
        "oidc_group_roles": GROUP_ROLES,
        "oidc_group_units": GROUP_UNITS,
        "public_url": "https://testserver",  # TestClient's base_url; browser tests pass theirs
        **more,
    }


def set_claims(provider: str, sub: str, claims: dict[str, Any]) -> None:
    response = httpx.put(f"{provider}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204, response.text


def claims_for(sub: str, *groups: str, name: str | None = None) -> dict[str, Any]:
    return {
        "email": f"{sub}@faxe.dk",
        "email_verified": True,
        "name": name or sub.title(),
        "groups": list(groups),
    }


def sign_in_client(client: TestClient, provider: str, sub: str, claims: dict[str, Any]) -> None:
    """Sign a TestClient in through the provider: /log-ind/start → the provider's form → back."""
    set_claims(provider, sub, claims)
    start = client.get("/log-ind/start", follow_redirects=False)
    assert start.status_code in (302, 303), start.text
    authorize = httpx.post(
        start.headers["location"], data={"sub": sub}, follow_redirects=False, timeout=10
    )
    assert authorize.status_code in (302, 303), authorize.text
    back = urlsplit(authorize.headers["location"])
    done = client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert done.status_code == 303, done.text


def csrf_of(client: TestClient, path: str = "/") -> str:
    """The session's CSRF token, as the page's forms carry it."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)


@pytest.fixture
def oidc_app(
    home: Path, oidc_provider: str, settings_factory: Callable[..., Any]
) -> Callable[..., FastAPI]:
    """`oidc_app(**settings)`: the app on this test's home, signing in against the provider."""
    from service.app import create_app
    from tests.fakes import FakeEmbedder

    def make(**more: Any) -> FastAPI:
        settings = settings_factory(home, **oidc_settings(oidc_provider, **more))
        return create_app(settings, embedder=FakeEmbedder())

    return make


@pytest.fixture
def signed_in(
    oidc_app: Callable[..., FastAPI], oidc_provider: str
) -> Iterator[Callable[..., TestClient]]:
    """`signed_in("anne", "tvaers-koordinatorer")`: a TestClient (https, so the Secure cookie
    is sent) signed in as that subject with those groups, sending the session's CSRF token in
    X-CSRF-Token as a page's script would; `signed_in(None)` stays anonymous."""
    stack: list[AbstractContextManager[TestClient]] = []

    def make(sub: str | None, *groups: str, app: FastAPI | None = None) -> TestClient:
        manager = TestClient(app or oidc_app(), base_url="https://testserver")
        stack.append(manager)
        client = manager.__enter__()
        if sub is not None:
            sign_in_client(client, oidc_provider, sub, claims_for(sub, *groups))
            client.headers["X-CSRF-Token"] = csrf_of(client)
        return client

    try:
        yield make
    finally:
        for manager in reversed(stack):
            manager.__exit__(None, None, None)


def sign_in(page: Any, server: str, provider: str, sub: str, claims: dict[str, Any]) -> None:
    """Sign a playwright page in: tvaers' sign-in page → the provider's form → back on tvaers."""
    set_claims(provider, sub, claims)
    page.goto(server + "/log-ind")
    page.click("#sign-in")
    page.wait_for_url(provider + "/**")
    page.fill("input[name=sub]", sub)
    page.click("button:has-text('Authorize')")
    page.wait_for_url(server + "/**")


# Browser tests: tvaers with sign-in on a free port, and pages signed in through the provider.


def oidc_browser_app(home: Path, provider: str, **more: Any) -> Callable[[str], FastAPI]:
    """For `serve`: the app on `home` signing in against `provider`, at the URL serve picks; the
    cookie stays Secure (Chromium keeps Secure cookies of http://127.0.0.1, a potentially
    trustworthy origin)."""
    from service.app import create_app
    from service.config import Settings
    from tests.fakes import FakeEmbedder

    def make(url: str) -> FastAPI:
        settings = Settings(
            home=home,
            api_key=None,
            erasure_snapshot_delay=0.0,
            **oidc_settings(provider, **{"public_url": url, **more}),
        )
        return create_app(settings, embedder=FakeEmbedder())

    return make


@pytest.fixture(scope="module")
def oidc_server(
    indexed_home: Path, tmp_path_factory: pytest.TempPathFactory, oidc_provider: str
) -> Iterator[str]:
    """tvaers with sign-in (reading needs it) on the small Danish data, for browser tests."""
    import shutil

    from tests.browser import serve

    home = tmp_path_factory.mktemp("browser-oidc") / "home"
    shutil.copytree(indexed_home, home)
    with serve(oidc_browser_app(home, oidc_provider)) as url:
        yield url


@pytest.fixture
def coordinator_page(page: Any, oidc_server: str, oidc_provider: str) -> Any:
    """A browser page signed in as a coordinator (Innovationspraktik needs the role)."""
    sign_in(page, oidc_server, oidc_provider, "kim", claims_for("kim", "tvaers-koordinatorer"))
    return page
