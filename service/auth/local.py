"""Local sign-in: on a laptop, the whole product without an OpenID Connect provider.

When no provider is configured and `tvaers serve` listens on loopback only, it prints a one-time
link (as Jupyter does) that signs the browser in as a local administrator. The link works once,
only from this machine (the request's own address must be loopback), and only in the process that
printed it. `TVAERS_LOCAL_SIGN_IN=true` allows it on other addresses too; `false` switches it off.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response

from service.auth.roles import Role
from service.auth.session import start_session
from service.auth.sessions import Identity
from service.auth.state import AuthState
from service.config import Settings

PATH = "/log-ind/lokal"
LOCAL_USER = Identity(
    issuer="",  # never asked again: there is no provider
    subject="lokal",
    name="Lokal administrator",
    email=None,
    email_verified=False,
    role=Role.admin,
)
ONLY_HERE = (
    "Lokalt log-ind virker kun fra den maskine, tvaers kører på (127.0.0.1). Log ind fra den, "
    "eller sæt log-ind med OpenID Connect op (docs/drift.md)."
)
USED_OR_WRONG = (
    "Linket til lokalt log-ind er allerede brugt eller er forkert. Stop tvaers, og start det igen "
    "(`make run`) for at få et nyt link."
)

router = APIRouter(include_in_schema=False)


class LocalSignIn:
    """The one-time secret of one `tvaers serve` process."""

    def __init__(self, anywhere: bool = False) -> None:
        self.token = secrets.token_urlsafe(32)
        self.anywhere = anywhere  # TVAERS_LOCAL_SIGN_IN=true: any client address
        self._used = False
        self._lock = threading.Lock()

    def link(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}{PATH}?token={self.token}"

    def take(self, given: str) -> bool:
        """True once, for the right token."""
        with self._lock:
            if self._used or not secrets.compare_digest(given.encode(), self.token.encode()):
                return False
            self._used = True
            return True


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local_sign_in_for(settings: Settings, host: str, workers: int) -> LocalSignIn | None:
    """What `tvaers serve` offers: only without a provider, in one process, on loopback (unless
    the setting allows any address)."""
    if settings.oidc_enabled or settings.local_sign_in is False or workers > 1:
        return None
    if settings.local_sign_in is True:
        return LocalSignIn(anywhere=True)
    return LocalSignIn() if is_loopback(host) else None


def refusal_at_start(settings: Settings, host: str, workers: int) -> str | None:
    """Why local sign-in is not offered, when someone might have expected it."""
    if settings.oidc_enabled or settings.local_sign_in is False:
        return None
    if workers > 1:
        return "Lokalt log-ind er slået fra med flere processer (--workers); start med én."
    if settings.local_sign_in is None and not is_loopback(host):
        return (
            f"Lokalt log-ind er slået fra, fordi tvaers lytter på {host}, som andre maskiner kan "
            "nå. Sæt TVAERS_LOCAL_SIGN_IN=true for at tillade det alligevel, eller sæt log-ind "
            "med OpenID Connect op (docs/drift.md)."
        )
    return None


def _auth(request: Request) -> AuthState:
    auth: AuthState = request.app.state.auth
    return auth


@router.get(PATH)
def sign_in_locally(
    request: Request, auth: Annotated[AuthState, Depends(_auth)], token: str = ""
) -> Response:
    from service.metrics import count_sign_in_failure
    from service.web import render_error

    local: LocalSignIn | None = auth.local
    if local is None:
        return RedirectResponse("/log-ind", status.HTTP_303_SEE_OTHER)
    client = request.client.host if request.client else ""
    if not local.anywhere and not is_loopback(client):
        count_sign_in_failure(request, "local_refused")
        return render_error(request, status.HTTP_403_FORBIDDEN, ONLY_HERE)
    if not local.take(token):
        count_sign_in_failure(request, "local_refused")
        return render_error(request, status.HTTP_403_FORBIDDEN, USED_OR_WRONG)
    start_session(request.session, auth.sessions, LOCAL_USER)
    return RedirectResponse("/", status.HTTP_303_SEE_OTHER)
