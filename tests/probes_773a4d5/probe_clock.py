"""Issue 21, items 2 and 3, for main 773a4d5 only (run.sh copies it there): the clock-moving
tests of tests/test_sign_in_sessions.py, moving 773a4d5's clock (`time.time()` in its
service.auth.session, where the cookie held the session) instead of the server-side sessions'
injected clock, which 773a4d5 does not have."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.oidc import claims_for, set_claims

pytest_plugins = ("tests.conftest_service", "tests.oidc")

SignedIn = Callable[..., TestClient]
EXPIRED = "Du er blevet logget ud, fordi sessionen er udløbet – log ind igen."


def _later(monkeypatch: pytest.MonkeyPatch, **delta: float) -> None:
    import service.auth.session as session_module

    offset = sum(v * {"minutes": 60, "seconds": 1}[k] for k, v in delta.items())
    real = time.time
    monkeypatch.setattr(session_module, "time", SimpleNamespace(time=lambda: real() + offset))


def test_a_session_left_idle_ends(
    oidc_app: Callable[..., Any], signed_in: SignedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in("anne", "tvaers-laesere", app=oidc_app(session_idle_minutes=60))
    _later(monkeypatch, minutes=59)
    assert client.get("/api/people/p001").status_code == 200
    _later(monkeypatch, minutes=59 + 61)
    response = client.get("/api/people/p001")
    assert response.status_code == 401 and response.json()["detail"] == EXPIRED


def test_a_demoted_admin_loses_the_role_within_the_refresh_interval(
    oidc_provider: str, signed_in: SignedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in("ada", "tvaers-admins")
    assert client.get("/api/audit").status_code == 200
    set_claims(oidc_provider, "ada", claims_for("ada", "tvaers-laesere"))
    _later(monkeypatch, minutes=4)
    assert client.get("/api/audit").status_code == 200  # not yet asked again
    _later(monkeypatch, minutes=5)
    refused = client.get("/api/audit")
    assert refused.status_code == 403 and "du har rollen læser" in refused.json()["detail"]


def test_a_session_the_provider_no_longer_confirms_ends(
    oidc_provider: str, signed_in: SignedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in("ada", "tvaers-admins")
    httpx.post(f"{oidc_provider}/users/ada/revoke-tokens", timeout=10)
    _later(monkeypatch, minutes=6)
    response = client.get("/api/audit")
    assert response.status_code == 401 and response.json()["detail"] == EXPIRED
