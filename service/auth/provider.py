"""Asking the OpenID provider again whether a signed-in person still is who the session says.

Every `TVAERS_ROLE_REFRESH_MINUTES` a session's claims are fetched anew: with the refresh token
when the provider gave one (a new ID token, checked against the provider's keys), and from its
userinfo endpoint with the access token. Any refusal, or a different subject, means the provider
no longer confirms the person, and the session ends (fail closed: an unreachable provider signs
people out rather than leaving a demoted admin in).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import httpx

from service.auth.sessions import Tokens
from service.config import Settings

log = logging.getLogger("tvaers.auth")
TIMEOUT = httpx.Timeout(10.0)


class Provider:
    """The provider's metadata (read once) and the two calls a re-check needs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                url = (self.settings.oidc_issuer or "").rstrip("/")
                response = httpx.get(url + "/.well-known/openid-configuration", timeout=TIMEOUT)
                response.raise_for_status()
                self._metadata = dict(response.json())
            return self._metadata

    def confirm(self, subject: str, tokens: Tokens) -> tuple[dict[str, Any], Tokens] | None:
        """The person's current claims and tokens, or None when the provider does not confirm."""
        from joserfc.errors import JoseError

        try:
            return self._confirm(subject, tokens)
        except (httpx.HTTPError, JoseError, ValueError, KeyError, TypeError) as exc:
            log.warning("the provider did not confirm a session: %s", exc.__class__.__name__)
            return None

    def _confirm(self, subject: str, tokens: Tokens) -> tuple[dict[str, Any], Tokens] | None:
        meta = self.metadata()
        claims: dict[str, Any] = {}
        access, refresh = tokens.access_token, tokens.refresh_token
        if refresh:
            answer = httpx.post(
                meta["token_endpoint"],
                data={"grant_type": "refresh_token", "refresh_token": refresh},
                auth=self._client_auth(),
                timeout=TIMEOUT,
            )
            if answer.status_code != 200:
                return None
            body = answer.json()
            access = body.get("access_token") or access
            refresh = body.get("refresh_token") or refresh
            if body.get("id_token"):
                claims.update(self._id_token_claims(str(body["id_token"]), meta))
        if access and meta.get("userinfo_endpoint"):
            answer = httpx.get(
                meta["userinfo_endpoint"],
                headers={"Authorization": f"Bearer {access}"},
                timeout=TIMEOUT,
            )
            if answer.status_code != 200:
                return None
            claims.update(answer.json())
        if not claims or str(claims.get("sub")) != subject:
            return None
        return claims, Tokens(access, refresh)

    def _client_auth(self) -> tuple[str, str]:
        secret = self.settings.oidc_client_secret
        return (
            self.settings.oidc_client_id or "",
            secret.get_secret_value() if secret is not None else "",
        )

    def _id_token_claims(self, id_token: str, meta: dict[str, Any]) -> dict[str, Any]:
        from joserfc import jwt
        from joserfc.jwk import KeySet

        keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"], timeout=TIMEOUT).json())
        token = jwt.decode(id_token, keys)
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": self.settings.oidc_client_id or ""},
        )
        registry.validate(token.claims)
        return dict(token.claims)
