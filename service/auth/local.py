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

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from service.auth.acting import ACT_AS_KEY, CHOICES, LOCAL_SUBJECT, ActingAs, is_local_identity
from service.auth.roles import Role
from service.auth.session import SESSION_TOKEN, check_csrf, start_session
from service.auth.sessions import Identity
from service.auth.state import AuthState
from service.config import Settings

PATH = "/log-ind/lokal"
ROLE_PATH = "/log-ind/lokal/rolle"
LOCAL_USER = Identity(
    issuer="",  # never asked again: there is no provider
    subject=LOCAL_SUBJECT,
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


NOT_LOCAL = (
    "At se tvaers som en anden rolle kan kun den lokale administrator, når tvaers kører med "
    "lokalt log-ind (`make run`)."
)


@router.post(ROLE_PATH, dependencies=[Depends(check_csrf)])
def act_as(
    request: Request,
    auth: Annotated[AuthState, Depends(_auth)],
    choice: Annotated[str, Form(max_length=20)],
    unit_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The local administrator picks the role pages are shown through ("admin": back to self)."""
    from service.web import render_error

    if auth.local is None:  # a real provider, or local sign-in not offered: no such page
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_LOCAL)
    token = request.session.get(SESSION_TOKEN)
    row = auth.sessions.find(token)[0] if isinstance(token, str) else None
    if row is None or not is_local_identity(row.identity):
        return render_error(request, status.HTTP_403_FORBIDDEN, NOT_LOCAL)
    if choice not in CHOICES:
        return render_error(request, 422, f"Der er ingen rolle, der hedder '{choice}'.")
    if choice == "admin":
        request.session.pop(ACT_AS_KEY, None)
        return RedirectResponse("/log-ind", status.HTTP_303_SEE_OTHER)
    target = "/"
    acting = ActingAs(choice)
    if choice == "unit_editor":
        unit = request.app.state.tvaers.store.get("unit", unit_id.strip())
        if unit is None:
            return render_error(
                request,
                422,
                f"Der er ingen enhed med id '{unit_id.strip()}'. Skriv id'et på en enhed, fx "
                "det, der står i enhedens adresse (/enheder/…).",
            )
        acting = ActingAs(choice, unit.id, unit.get("name"))
        target = f"/enheder/{unit.id}"
    request.session[ACT_AS_KEY] = acting.stored()
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)
