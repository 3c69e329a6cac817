"""What sign-in needs at run time: the settings, the keys and editors tables, the OIDC client."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from service.auth.claims import groups_of, role_of, units_of
from service.auth.editors import Editors, subject_principal
from service.auth.keys import ApiKeys
from service.auth.provider import Provider
from service.auth.sessions import Identity, SessionRow, Sessions, Tokens
from service.auth.throttle import Throttle
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
        self.sessions = Sessions(
            engine,
            max_age=dt.timedelta(seconds=settings.session_max_age),
            idle=dt.timedelta(minutes=settings.session_idle_minutes),
        )
        self.throttle = Throttle(
            engine,
            settings.throttle_key_failures,
            settings.throttle_sign_ins,
            registration_links=settings.throttle_registration_links,
            registration_mails=settings.throttle_registration_mails,
        )
        self.provider = Provider(settings) if settings.oidc_enabled else None
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
                code_challenge_method="S256",  # PKCE
            )

    def principals(self, identity: Identity) -> list[str]:
        """The editors-table rows that are this person's: their subject's, and the e-mail an
        admin named only when the provider vouches for it (or the settings trust it)."""
        found = [subject_principal(identity.subject)]
        if identity.email and (identity.email_verified or self.settings.oidc_trust_email):
            found.append(identity.email)
        return found

    def identity_of(self, claims: dict[str, Any]) -> Identity:
        """The provider's claims as an identity; its groups' units become the subject's rows."""
        settings = self.settings
        subject = str(claims["sub"])
        email = claims.get("email") if isinstance(claims.get("email"), str) else None
        groups = groups_of(claims, settings.oidc_groups_claim)
        self.editors.set_from_groups(subject_principal(subject), units_of(groups, settings))
        return Identity(
            issuer=settings.oidc_issuer or "",
            subject=subject,
            name=str(claims.get("name") or claims.get("preferred_username") or email or subject),
            email=email,
            email_verified=claims.get("email_verified") is True,
            role=role_of(groups, settings),
        )

    def reconfirm(self, row: SessionRow, token: str) -> SessionRow | None:
        """The session (of the cookie's `token`), with claims the provider confirmed again when
        they were due; None (and the session ended) when the provider no longer confirms them."""
        due = row.checked_at + dt.timedelta(minutes=self.settings.role_refresh_minutes)
        if self.provider is None or not row.identity.issuer or self.sessions.clock() < due:
            return row
        confirmed = self.provider.confirm(row.identity.subject, row.tokens)
        if confirmed is None:
            self.sessions.end(row.id)
            return None
        claims, tokens = confirmed
        identity = self.identity_of(claims)
        self.sessions.confirm(token, identity, tokens)
        return SessionRow(
            row.id,
            identity,
            row.created_at,
            row.expires_at,
            row.last_seen_at,
            self.sessions.clock(),
            tokens,
        )

    def tokens_of(self, token: dict[str, Any]) -> Tokens:
        return Tokens(token.get("access_token"), token.get("refresh_token"))

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
