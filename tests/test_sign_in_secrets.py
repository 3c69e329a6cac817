"""What sign-in leaves lying around: the provider's tokens are unreadable in the database, and a
key cannot be bound to a unit that does not exist (issue 21's loose ends). Throttling across
replicas is in tests/test_shared_state.py."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from indexer.schema import sessions_table

pytest_plugins = ("tests.conftest_service", "tests.oidc")

SignedIn = Callable[..., TestClient]


def _cookie_token(client: TestClient) -> str:
    """The session token inside the signed cookie (its payload is base64 JSON before the dot)."""
    payload = client.cookies["tvaers_session"].split(".")[0]
    session = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    token: str = session["sid"]
    return token


def test_the_providers_tokens_are_not_readable_from_the_database(
    signed_in: SignedIn, home: Path
) -> None:
    client = signed_in("ada", "tvaers-admins")
    auth = client.app.state.auth  # type: ignore[attr-defined]
    row, _ = auth.sessions.find(_cookie_token(client))
    tokens = row.tokens
    assert tokens.access_token  # the server, given the cookie, can ask the provider again
    secrets = [t for t in (tokens.access_token, tokens.refresh_token) if t]
    with auth.sessions._engine.connect() as conn:
        stored = [dict(r._mapping) for r in conn.execute(sa.select(sessions_table))]
    assert stored and not [s for s in secrets if s in repr(stored)]
    database = (home / "tvaers.db").read_bytes()
    assert not [s for s in secrets if s.encode() in database]
    # The row alone (no cookie, or another one) opens nothing.
    from service.auth.sessions import Tokens, open_tokens

    assert open_tokens("en-anden-token", stored[0]["provider_tokens"]) == Tokens()


def test_sealed_tokens_open_only_with_their_own_cookie_token() -> None:
    from service.auth.sessions import Tokens, open_tokens, seal_tokens

    sealed = seal_tokens("cookie-a", Tokens("access-1", "refresh-1"))
    assert sealed is not None and "access-1" not in sealed
    assert open_tokens("cookie-a", sealed) == Tokens("access-1", "refresh-1")
    assert open_tokens("cookie-b", sealed) == Tokens()
    assert seal_tokens("cookie-a", Tokens()) is None


def test_a_key_cannot_be_made_for_a_unit_that_does_not_exist(home: Path) -> None:
    from service.cli import main

    runner = CliRunner()
    base = ["--home", str(home), "keys", "create"]
    refused = runner.invoke(main, [*base, "import", "--role", "unit_editor", "--unit", "u777"])
    assert refused.exit_code == 2
    assert "ingen enhed med id 'u777'" in refused.output
    listed = runner.invoke(main, ["--home", str(home), "keys", "list"])
    assert "import" not in listed.output  # nothing was made
    made = runner.invoke(main, [*base, "import", "--role", "unit_editor", "--unit", "u001"])
    assert made.exit_code == 0, made.output
