"""What sign-in needs at run time: the settings, the keys and editors tables, the OIDC client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from service.auth.editors import Editors
from service.auth.keys import ApiKeys
from service.config import Settings

if TYPE_CHECKING:
    from service.auth.local import LocalSignIn


class AuthState:
    def __init__(
        self, settings: Settings, engine: sa.Engine, local: LocalSignIn | None = None
    ) -> None:
        settings.check_auth()
        self.settings = settings
        self.local = None if settings.oidc_enabled else local  # a provider always wins
        self.keys = ApiKeys(engine)
        self.editors = Editors(engine)
        self.oauth: Any = None
        if settings.oidc_enabled:
            from authlib.integrations.starlette_client import OAuth

            self.oauth = OAuth()
            secret = settings.oidc_client_secret
            self.oauth.register(
                name="oidc",
                client_id=settings.oidc_client_id,
                client_secret=secret.get_secret_value() if secret is not None else None,
                server_metadata_url=_metadata_url(settings.oidc_issuer or ""),
                client_kwargs={"scope": settings.oidc_scopes},
            )

    @property
    def editing_enabled(self) -> bool:
        """Someone can sign in: with the provider, or with the local one-time link."""
        return self.settings.oidc_enabled or self.local is not None

    @property
    def writes_enabled(self) -> bool:
        """Someone can write: people who sign in, or a valid key with a writing role."""
        return self.editing_enabled or self.keys.any_can_write()


def _metadata_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"
