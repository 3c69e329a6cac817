"""Sign-in sessions kept on the server: the cookie holds only a random token, the table its hash.

Sign-out, an admin's revoke and the absolute or idle expiry delete the row, so the old cookie
opens nothing from the next request on. Who the session is (issuer, subject) never changes; its
name, e-mail and role are confirmed by the provider again every `role_refresh_minutes`
(service/auth/provider.py), and the session ends when the provider no longer confirms them.

The provider's tokens are needed for that re-check (the refresh token cannot be hashed away), so
they are kept encrypted (AES-GCM) with a key derived from the cookie's token, which the server
never stores: a copy of the database or a backup holds no token anyone can use at the provider,
and the server can read them only during a request of that browser, which is when it asks.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from indexer.schema import sessions_table
from service.auth.roles import Role

Clock = Callable[[], dt.datetime]
LAST_SEEN_EVERY = dt.timedelta(seconds=30)  # a busy page does not write on every request
Ended = Literal["expired", "idle", "gone"]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored as naive UTC on every database


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Identity:
    """Who signed in, as the provider said it: (issuer, subject) is the person."""

    issuer: str
    subject: str
    name: str
    email: str | None
    email_verified: bool
    role: Role


@dataclass(frozen=True)
class Tokens:
    access_token: str | None = None
    refresh_token: str | None = None


def _tokens_key(token: str) -> AESGCM:
    """A key of its own from the cookie's token (the id is its plain SHA-256: not this key)."""
    derived = HKDF(hashes.SHA256(), 32, salt=None, info=b"tvaers provider tokens").derive(
        token.encode()
    )
    return AESGCM(derived)


def seal_tokens(token: str, tokens: Tokens) -> str | None:
    """The provider's tokens, readable only with the cookie's token; None when there are none."""
    if tokens.access_token is None and tokens.refresh_token is None:
        return None
    plain = json.dumps({"access": tokens.access_token, "refresh": tokens.refresh_token}).encode()
    nonce = secrets.token_bytes(12)
    sealed = _tokens_key(token).encrypt(nonce, plain, session_id(token).encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def open_tokens(token: str, sealed: str | None) -> Tokens:
    """What `seal_tokens` kept; no tokens when there were none or they cannot be read."""
    if not sealed:
        return Tokens()
    raw = base64.urlsafe_b64decode(sealed.encode())
    try:
        plain = _tokens_key(token).decrypt(raw[:12], raw[12:], session_id(token).encode())
    except InvalidTag:
        return Tokens()
    values = json.loads(plain)
    return Tokens(values.get("access"), values.get("refresh"))


@dataclass(frozen=True)
class SessionRow:
    id: str
    identity: Identity
    created_at: dt.datetime
    expires_at: dt.datetime
    last_seen_at: dt.datetime
    checked_at: dt.datetime
    tokens: Tokens


class Sessions:
    """The sessions table; `clock` is injectable so tests never sleep."""

    def __init__(
        self,
        engine: sa.Engine,
        max_age: dt.timedelta,
        idle: dt.timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self._engine = engine
        self.max_age = max_age
        self.idle = idle
        self.clock = clock

    def start(self, identity: Identity, tokens: Tokens) -> str:
        """A new session's cookie token (only its hash is kept)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._engine.begin() as conn:
            conn.execute(sessions_table.delete().where(sessions_table.c.expires_at < now))
            conn.execute(
                sessions_table.insert(),
                {
                    "id": session_id(token),
                    **_identity_values(identity),
                    "created_at": now,
                    "expires_at": now + self.max_age,
                    "last_seen_at": now,
                    "checked_at": now,
                    "provider_tokens": seal_tokens(token, tokens),
                },
            )
        return token

    def find(self, token: str) -> tuple[SessionRow | None, Ended | None]:
        """The live session of this token (its use noted), else None and why it is not."""
        sid = session_id(token)
        now = self.clock()
        with self._engine.connect() as conn:
            found = conn.execute(sa.select(sessions_table).where(sessions_table.c.id == sid))
            row = found.first()
        if row is None:
            return None, "gone"
        session = _session(row, token)
        ended: Ended | None = None
        if session.expires_at <= now:
            ended = "expired"
        elif session.last_seen_at + self.idle <= now:
            ended = "idle"
        if ended is not None:
            self.end(sid)
            return None, ended
        if now - session.last_seen_at >= LAST_SEEN_EVERY:
            with self._engine.begin() as conn:
                conn.execute(
                    sessions_table.update()
                    .where(sessions_table.c.id == sid)
                    .values(last_seen_at=now)
                )
        return session, None

    def confirm(self, token: str, identity: Identity, tokens: Tokens) -> None:
        """The provider confirmed the session again (maybe with another role)."""
        with self._engine.begin() as conn:
            conn.execute(
                sessions_table.update()
                .where(sessions_table.c.id == session_id(token))
                .values(
                    **_identity_values(identity),
                    checked_at=self.clock(),
                    provider_tokens=seal_tokens(token, tokens),
                )
            )

    def end(self, sid: str) -> bool:
        with self._engine.begin() as conn:
            done = conn.execute(sessions_table.delete().where(sessions_table.c.id == sid))
        return done.rowcount > 0

    def end_token(self, token: str) -> bool:
        return self.end(session_id(token))

    def end_all_of(self, subject: str) -> int:
        with self._engine.begin() as conn:
            done = conn.execute(sessions_table.delete().where(sessions_table.c.subject == subject))
        return int(done.rowcount)

    def of_subject(self, subject: str | None = None) -> list[SessionRow]:
        """Live sessions (of one subject, or everyone's), newest first."""
        query = sa.select(sessions_table).where(sessions_table.c.expires_at > self.clock())
        if subject is not None:
            query = query.where(sessions_table.c.subject == subject)
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(sessions_table.c.created_at.desc()))
            return [_session(r) for r in rows]


def _identity_values(identity: Identity) -> dict[str, object]:
    return {
        "issuer": identity.issuer,
        "subject": identity.subject,
        "name": identity.name,
        "email": identity.email,
        "email_verified": identity.email_verified,
        "role": identity.role.value,
    }


def _session(row: sa.Row[tuple[object, ...]], token: str | None = None) -> SessionRow:
    """The row as a session; its provider tokens only when the cookie's token is given."""
    return SessionRow(
        id=row.id,
        identity=Identity(
            issuer=row.issuer,
            subject=row.subject,
            name=row.name,
            email=row.email,
            email_verified=bool(row.email_verified),
            role=Role(row.role),
        ),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_seen_at=row.last_seen_at,
        checked_at=row.checked_at,
        tokens=open_tokens(token, row.provider_tokens) if token is not None else Tokens(),
    )
