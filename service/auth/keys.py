"""Named API keys for machine clients: each carries a role (and units), is stored hashed, has a
last-used date and can be revoked. `tvaers keys create|list|revoke` manages them."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from indexer.errors import TvaersError
from indexer.schema import api_keys_table
from service.auth.roles import Role, User

KEY_PREFIX = "tvaers_"
LAST_USED_EVERY = timedelta(minutes=1)  # a busy import does not write on every request


class KeyError_(TvaersError):
    """A key name that is taken or unknown."""


@dataclass(frozen=True)
class ApiKey:
    name: str
    role: Role
    units: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def user(self) -> User:
        return User(
            subject=f"api-key:{self.name}",
            name=f"API-nøgle {self.name}",
            role=self.role,
            units=frozenset(self.units),
            via="api_key",
        )


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC on every database


class ApiKeys:
    """The keys table in the store's database."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def create(self, name: str, role: Role, units: tuple[str, ...] = ()) -> str:
        """The new key's secret: shown once, only its hash is kept."""
        name = name.strip()
        if not name or len(name) > 100:
            raise KeyError_("Giv nøglen et navn på 1-100 tegn.")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)  # 32 random bytes
        with self._engine.begin() as conn:
            taken = conn.execute(
                sa.select(api_keys_table.c.name).where(api_keys_table.c.name == name)
            ).first()
            if taken is not None:
                raise KeyError_(
                    f"Der findes allerede en nøgle med navnet '{name}' (også tilbagekaldte "
                    "nøglers navne er optaget). Vælg et andet navn, fx med årstal."
                )
            conn.execute(
                api_keys_table.insert(),
                {
                    "name": name,
                    "role": role.value,
                    "units": json.dumps(sorted(set(units))),
                    "secret_sha256": hash_secret(secret),
                    "created_at": _now(),
                },
            )
        return secret

    def revoke(self, name: str) -> None:
        with self._engine.begin() as conn:
            done = conn.execute(
                api_keys_table.update()
                .where(api_keys_table.c.name == name, api_keys_table.c.revoked_at.is_(None))
                .values(revoked_at=_now())
            )
        if done.rowcount == 0:
            raise KeyError_(
                f"Der er ingen gyldig nøgle med navnet '{name}' (se `tvaers keys list`)."
            )

    def all(self) -> list[ApiKey]:
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(api_keys_table).order_by(api_keys_table.c.name))
            return [_key(row) for row in rows]

    def any_can_write(self) -> bool:
        return any(
            k.revoked_at is None and k.role.rank >= Role.unit_editor.rank for k in self.all()
        )

    def authenticate(self, secret: str) -> ApiKey | None:
        """The valid key with this secret (and its last use noted), else None."""
        digest = hash_secret(secret)
        with self._engine.connect() as conn:
            row = conn.execute(
                sa.select(api_keys_table).where(api_keys_table.c.secret_sha256 == digest)
            ).first()
        if row is None or not secrets.compare_digest(row.secret_sha256, digest):
            return None
        key = _key(row)
        if key.revoked_at is not None:
            return None
        now = _now()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
            with self._engine.begin() as conn:
                conn.execute(
                    api_keys_table.update()
                    .where(api_keys_table.c.name == key.name)
                    .values(last_used_at=now)
                )
        return key


def _key(row: sa.Row[tuple[object, ...]]) -> ApiKey:
    return ApiKey(
        name=row.name,
        role=Role(row.role),
        units=tuple(json.loads(row.units or "[]")),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
