"""The signed session cookie (a token naming a server-side session), the user each request acts
as, the read gate (when reading needs sign-in) and the CSRF token every form and every
cookie-authenticated API write carries."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from anyio import to_thread
from fastapi import HTTPException, Request, status
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth.acting import ACTING_KEY, ActingAs, acting_in, is_local_identity
from service.auth.contact import reset_contact_visible, set_contact_visible
from service.auth.roles import User
from service.auth.sessions import Identity, Sessions, Tokens
from service.auth.state import AuthState

USER_KEY = "tvaers.user"
SESSION_TOKEN = "sid"  # in the signed cookie: the token of the server-side session
CSRF_HEADER = b"x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
API_CSRF_MESSAGE = (
    "Skrivninger til API'et med log-ind-cookien skal sende sidens sikkerhedsnøgle i headeren "
    "X-CSRF-Token (feltet csrf_token på siden). Maskiner bruger en API-nøgle: "
    "'Authorization: Bearer …'."
)
THROTTLED_MESSAGE = (
    "For mange mislykkede forsøg fra din adresse. Vent {seconds} sekunder, og prøv igen."
)
EXPIRY_NOTICE_GRACE = 3600  # seconds
EXPIRED_KEY = "tvaers.session_expired"
BAD_KEY_KEY = "tvaers.bad_key"
SESSION_COOKIE = "tvaers_session"
CSRF_FIELD = "csrf_token"
EXPIRED_MESSAGE = "Du er blevet logget ud, fordi sessionen er udløbet – log ind igen."
CSRF_MESSAGE = (
    "Formularen kunne ikke sendes, fordi dens sikkerhedsnøgle mangler eller er forældet. "
    "Genindlæs siden, og prøv igen."
)
NOTICES: dict[str, str] = {"expired": EXPIRED_MESSAGE, "signed_out": "Du er logget ud."}
BAD_KEY_MESSAGE = (
    "API-nøglen i headeren 'Authorization: Bearer …' er ugyldig eller tilbagekaldt. "
    "Lav en ny med `tvaers keys create NAVN --role ROLLE`."
)
READ_NEEDS_SIGN_IN = "Log ind for at læse i tvaers (eller send en API-nøgle)."
# Open without sign-in, whatever the settings say.
OPEN_PATHS = (
    "/health",
    "/static/",
    "/log-ind",
    "/log-ud",
    "/favicon.ico",
    "/docs",
    "/openapi.json",
    "/metrics",
    # Registering for the Innovationspraktik: people without an account come by personal link
    # (the routes themselves ask for a user or a link).
    "/praktik/tilmelding",
    "/api/registration",
)


def install_sessions(app: Any, auth: AuthState) -> None:
    """Add the middleware: the session (outermost) and the user/gate inside it."""
    settings = auth.settings
    secret = (
        settings.session_secret.get_secret_value()
        if settings.session_secret is not None
        else secrets.token_urlsafe(32)  # without sign-in a session only holds CSRF tokens
    )
    app.add_middleware(AuthMiddleware, auth=auth)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        # The cookie outlives the session a little, so a session past its expiry still reaches
        # the server, which refuses it and says why (the browser would drop it without a word).
        max_age=settings.session_max_age + EXPIRY_NOTICE_GRACE,
        same_site="lax",
        # Local sign-in runs on http://127.0.0.1, where a Secure cookie would not come back.
        https_only=settings.session_https_only and auth.local is None,
    )


def start_session(
    session: dict[str, Any], sessions: Sessions, identity: Identity, tokens: Tokens | None = None
) -> None:
    """After sign-in: a fresh server-side session (and a new CSRF token); the cookie names it."""
    session.clear()
    session[SESSION_TOKEN] = sessions.start(identity, tokens or Tokens())
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def end_session(session: dict[str, Any], sessions: Sessions) -> None:
    """Sign-out: the server-side session is gone, whoever still holds the cookie."""
    token = session.get(SESSION_TOKEN)
    if isinstance(token, str):
        sessions.end_token(token)
    session.clear()


class AuthMiddleware:
    """Works out the request's user once (session, else API key), refuses expired sessions,
    and, when reading needs sign-in, keeps anonymous visitors out of everything but OPEN_PATHS."""

    def __init__(self, app: ASGIApp, auth: AuthState) -> None:
        self.app = app
        self.auth = auth
        self.public_fields = frozenset(auth.settings.public_fields)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session: dict[str, Any] = scope.get("session", {})
        bearer = _bearer(scope)
        state = _RequestAuth()
        if bearer or SESSION_TOKEN in session:  # anonymous requests never leave the event loop
            state = await to_thread.run_sync(self._user, session, bearer, _client(scope))
        user, expired = state.user, state.expired
        if state.throttled is not None:
            await _too_many(state.throttled)(scope, receive, send)
            return
        scope[USER_KEY] = user
        scope[ACTING_KEY] = state.acting
        scope[BAD_KEY_KEY] = user is None and bearer is not None
        scope[EXPIRED_KEY] = expired
        path: str = scope["path"]
        if (
            user is not None
            and user.via == "session"
            and path.startswith("/api/")
            and scope["method"] not in SAFE_METHODS
            and not _header_token_matches(scope, session)
        ):
            response_: Any = JSONResponse({"detail": API_CSRF_MESSAGE}, 403)
            await response_(scope, receive, send)
            return
        if user is None and self.auth.settings.reading_needs_sign_in and not _open(path):
            if path.startswith("/api/"):
                message = (
                    BAD_KEY_MESSAGE
                    if scope[BAD_KEY_KEY]
                    else EXPIRED_MESSAGE
                    if expired
                    else READ_NEEDS_SIGN_IN
                )
                response: Any = JSONResponse(
                    {"detail": message}, 401, headers={"WWW-Authenticate": "Bearer"}
                )
            else:
                query = scope.get("query_string", b"").decode("latin-1")
                target = path + (f"?{query}" if query else "")
                response = RedirectResponse(f"/log-ind?next={quote(target)}", 303)
            await response(scope, receive, send)
            return
        # Contact details and non-public extra columns: signed in or a key.
        token = set_contact_visible(user is not None, self.public_fields)
        try:
            await self.app(scope, receive, send)
        finally:
            reset_contact_visible(token)

    def _user(self, session: dict[str, Any], bearer: str | None, client: str) -> _RequestAuth:
        """A key sent on purpose counts over the session cookie that comes along."""
        auth = self.auth
        if bearer:
            retry = auth.throttle.blocked("key", client)
            if retry is not None:
                return _RequestAuth(throttled=retry)
            key = auth.keys.authenticate(bearer)
            if key is None:
                auth.throttle.failed("key", client)
                return _RequestAuth()
            return _RequestAuth(user=key.user)
        token = session.get(SESSION_TOKEN)
        if not isinstance(token, str):
            return _RequestAuth()
        row, _ = auth.sessions.find(token)
        if row is not None:
            row = auth.reconfirm(row, token)  # None: the provider no longer confirms the person
        if row is None:
            session.pop(SESSION_TOKEN, None)
            session["notice"] = "expired"
            return _RequestAuth(expired=True)
        identity = row.identity
        user = User(
            subject=identity.subject,
            name=identity.name,
            email=identity.email,
            role=identity.role,
            units=auth.editors.units_of(auth.principals(identity)),
        )
        if auth.local is not None and is_local_identity(identity):
            acting = acting_in(session)  # only local sign-in's administrator looks through
            if acting is not None:
                return _RequestAuth(user=acting.user(user), acting=acting)
        return _RequestAuth(user=user)


@dataclass(frozen=True)
class _RequestAuth:
    user: User | None = None
    expired: bool = False
    throttled: float | None = None  # seconds to wait: too many failed key checks
    acting: ActingAs | None = None  # the local administrator looks through another role


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


def _too_many(retry_after: float) -> JSONResponse:
    seconds = max(1, math.ceil(retry_after))
    return JSONResponse(
        {"detail": THROTTLED_MESSAGE.format(seconds=seconds)},
        429,
        headers={"Retry-After": str(seconds)},
    )


def _header_token_matches(scope: Scope, session: dict[str, Any]) -> bool:
    expected = session.get(CSRF_FIELD)
    for name, value in scope.get("headers", ()):
        if name == CSRF_HEADER:
            given = bytes(value)
            return isinstance(expected, str) and secrets.compare_digest(given, expected.encode())
    return False


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            text: str = bytes(value).decode("latin-1")
            scheme, _, token = text.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


def _open(path: str) -> bool:
    return any(path == p or path.startswith(p if p.endswith("/") else p + "/") for p in OPEN_PATHS)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use): put it in every form as `csrf_token`."""
    session = request.scope.get("session")
    if session is None:
        return ""
    token = session.get(CSRF_FIELD)
    if not token:
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(token)


def verify_csrf(request: Request, given: object) -> None:
    """403 unless the form's token is the session's (for handlers that parse the form)."""
    expected = request.scope.get("session", {}).get(CSRF_FIELD)
    if not (
        isinstance(given, str)
        and isinstance(expected, str)
        and secrets.compare_digest(given.encode(), expected.encode())
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, CSRF_MESSAGE)


async def check_csrf(request: Request) -> None:
    """A dependency for form posts (url-encoded or multipart): the form's token must match."""
    form = await request.form()
    verify_csrf(request, form.get(CSRF_FIELD))


def take_notice(request: Request) -> str | None:
    """A one-time message for the page (e.g. the session expired)."""
    session = request.scope.get("session")
    if request.scope.get(EXPIRED_KEY):
        if session is not None:
            session.pop("notice", None)
        return EXPIRED_MESSAGE
    if session is None:
        return None
    notice = str(session.pop("notice", ""))
    return NOTICES.get(notice)
