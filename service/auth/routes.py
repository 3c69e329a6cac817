"""Sign-in pages (/log-ind, the provider's answer, POST /log-ud) and who edits which units
(the admin page /admin/redaktoerer and /api/editors)."""

from __future__ import annotations

import logging
import math
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from service.auth.acting import ACTING_KEY, CHOICES
from service.auth.deps import Admin, CurrentUser
from service.auth.editors import EditorRow
from service.auth.session import check_csrf, end_session, start_session
from service.auth.state import AuthState
from service.metrics import count_sign_in_failure

log = logging.getLogger("tvaers.auth")
CALLBACK_PATH = "/log-ind/svar"
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/editors", tags=["adgang"])


def get_auth(request: Request) -> AuthState:
    auth: AuthState = request.app.state.auth
    return auth


AuthDep = Annotated[AuthState, Depends(get_auth)]


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from service.web import templates

    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: one leading "/", then no "/" or "\\" (browsers read both as a
    host), no control characters (browsers drop tab, CR and LF, which made "/\t/host" a host),
    no scheme; anything else is "/"."""
    if (
        not target
        or len(target) > 2000
        or not target.startswith("/")
        or target[1:2] in ("/", "\\")
        or "\\" in target
        or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in target)
    ):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/"
    return target


@pages.get("/log-ind", response_class=HTMLResponse)
def sign_in_page(request: Request, auth: AuthDep, user: CurrentUser) -> HTMLResponse:
    next_path = _safe_next(request.query_params.get("next"))
    return _page(
        request,
        "login.html",
        next_path=next_path,
        enabled=auth.editing_enabled,
        local=auth.local is not None,
        user=user,
        acting=request.scope.get(ACTING_KEY),
        choices=CHOICES,
    )


@pages.get("/log-ind/start", name="oidc_start")
async def sign_in_start(request: Request, auth: AuthDep) -> Response:
    if auth.oauth is None:
        return RedirectResponse("/log-ind", status.HTTP_303_SEE_OTHER)
    throttled = await _throttled(request, auth)
    if throttled is not None:
        return throttled
    request.session["next"] = _safe_next(request.query_params.get("next"))
    # Always the configured address (settings refuse OIDC without it), never a request header.
    redirect_uri = (auth.settings.public_url or "").rstrip("/") + CALLBACK_PATH
    try:
        response: Response = await auth.oauth.oidc.authorize_redirect(request, redirect_uri)
    except Exception as exc:  # the provider cannot be reached or its metadata is wrong
        log.exception("OIDC discovery failed")
        count_sign_in_failure(request, "oidc_unreachable")
        return _error(request, 502, f"Log-ind-tjenesten svarer ikke ({exc.__class__.__name__}).")
    return response


@pages.get(CALLBACK_PATH, name="oidc_callback")
async def sign_in_callback(request: Request, auth: AuthDep) -> Response:
    from authlib.integrations.base_client.errors import OAuthError
    from joserfc.errors import JoseError

    if auth.oauth is None:
        return RedirectResponse("/log-ind", status.HTTP_303_SEE_OTHER)
    throttled = await _throttled(request, auth)
    if throttled is not None:
        return throttled
    try:
        token = await auth.oauth.oidc.authorize_access_token(request)
    except OAuthError as exc:
        count_sign_in_failure(request, "oidc_refused")
        return _error(request, 401, f"Log-ind mislykkedes ({exc.error}). Prøv igen fra /log-ind.")
    except (JoseError, ValueError) as exc:  # a nonce, audience or signature that does not hold
        log.warning("ID token refused: %s", exc.__class__.__name__)
        count_sign_in_failure(request, "oidc_bad_token")
        return _error(
            request,
            401,
            "Log-ind mislykkedes: svaret fra log-ind-tjenesten kunne ikke godkendes (fx en "
            "forkert engangskode). Start forfra fra /log-ind.",
        )
    claims: dict[str, Any] = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        count_sign_in_failure(request, "oidc_no_user")
        return _error(request, 401, "Log-ind-tjenesten sendte ingen bruger. Prøv igen.")
    next_path = _safe_next(request.session.get("next"))
    identity = await run_in_threadpool(auth.identity_of, claims)
    await run_in_threadpool(
        start_session, request.session, auth.sessions, identity, auth.tokens_of(token)
    )
    return RedirectResponse(next_path, status.HTTP_303_SEE_OTHER)


@pages.post("/log-ud", dependencies=[Depends(check_csrf)])
def sign_out(request: Request, auth: AuthDep) -> Response:
    end_session(request.session, auth.sessions)
    request.session["notice"] = "signed_out"
    return RedirectResponse("/", status.HTTP_303_SEE_OTHER)


async def _throttled(request: Request, auth: AuthState) -> Response | None:
    client = request.client.host if request.client else ""
    retry = await run_in_threadpool(auth.throttle.attempt, "sign_in", client)  # a database write
    if retry is None:
        return None
    count_sign_in_failure(request, "throttled")
    seconds = max(1, math.ceil(retry))
    response = _error(
        request,
        429,
        f"For mange forsøg på at logge ind fra din adresse. Vent {seconds} sekunder, og prøv igen.",
    )
    response.headers["Retry-After"] = str(seconds)
    return response


def _error(request: Request, code: int, message: str) -> HTMLResponse:
    return _page(request, "error.html", code, code=code, message=message)


# Who edits which units ----------------------------------------------------------------------


class EditorPublic(BaseModel):
    principal: str = Field(description="E-mail eller subject (små bogstaver)")
    unit_id: str
    source: str = Field(description="group (fra log-ind-grupper) eller admin")


class EditorCreate(BaseModel):
    principal: str = Field(min_length=1, max_length=320, examples=["anne.holm@faxe.dk"])
    unit_id: str = Field(min_length=1, max_length=200, examples=["u001"])


def _public(row: EditorRow) -> EditorPublic:
    return EditorPublic(principal=row.principal, unit_id=row.unit_id, source=row.source)


@api.get("", response_model=list[EditorPublic], summary="Hvem retter hvilke enheder")
def list_editors(auth: AuthDep, _: Admin) -> list[EditorPublic]:
    return [_public(r) for r in auth.editors.all()]


@api.post(
    "",
    response_model=EditorPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Giv en person ret til at rette en enhed",
)
def add_editor(request: Request, auth: AuthDep, _: Admin, body: EditorCreate) -> EditorPublic:
    _known_unit(request, body.unit_id)
    return _public(auth.editors.add(body.principal, body.unit_id))


@api.delete("", response_model=EditorPublic, summary="Fjern en persons ret til en enhed")
def remove_editor(auth: AuthDep, _: Admin, principal: str, unit_id: str) -> EditorPublic:
    """Removes a row an admin added (rows from groups follow the groups at the next sign-in)."""
    if not auth.editors.remove(principal, unit_id):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"'{principal}' er ikke tilføjet som redaktør for '{unit_id}' af en administrator.",
        )
    return EditorPublic(principal=principal.strip().lower(), unit_id=unit_id, source="admin")


def _known_unit(request: Request, unit_id: str) -> None:
    if request.app.state.tvaers.store.get("unit", unit_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Der er ingen enhed med id '{unit_id}'.")


@pages.get("/admin/redaktoerer", response_class=HTMLResponse)
def editors_page(request: Request, auth: AuthDep, user: Admin) -> HTMLResponse:
    return _page(request, "editors.html", rows=auth.editors.all(), error=None, active="admin")


@pages.post("/admin/redaktoerer", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def editors_change(
    request: Request,
    auth: AuthDep,
    user: Admin,
    action: Annotated[str, Form()],
    principal: Annotated[str, Form(max_length=320)] = "",
    unit_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    principal, unit_id = principal.strip(), unit_id.strip()
    error = None
    if not principal or not unit_id:
        error = "Skriv både en e-mail (eller et subject) og et enheds-id."
    elif action == "add":
        if request.app.state.tvaers.store.get("unit", unit_id) is None:
            error = f"Der er ingen enhed med id '{unit_id}'."
        else:
            auth.editors.add(principal, unit_id)
    elif action == "remove":
        auth.editors.remove(principal, unit_id)
    if error:
        return _page(
            request, "editors.html", 422, rows=auth.editors.all(), error=error, active="admin"
        )
    return RedirectResponse("/admin/redaktoerer", status.HTTP_303_SEE_OTHER)


def install_auth_routes(app: FastAPI) -> None:
    from service.auth.sessions_api import router as sessions_api

    app.include_router(pages)
    app.include_router(api)
    app.include_router(sessions_api)
