"""The registration pages: /praktik/tilmelding (where it stands, a personal link), and the host's
and the intern's form. They validate with the API's models and the store's rules, so a form and
PUT /api/registration/… refuse the same things; each error stands beside its field."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from engine.season import SeasonError
from indexer.errors import DataError
from service.api.deps import get_state
from service.api.errors import danish_error
from service.api.schemas.registration import (
    MAX_DAYS,
    HostRegistration,
    InternRegistration,
    LinkRequest,
)
from service.auth import check_csrf, verify_csrf
from service.auth.session import THROTTLED_MESSAGE
from service.season.book import Season
from service.season.labels import PHASE_LABELS
from service.season.registrants import (
    LINK_ANSWER,
    NO_SEASON,
    model_of,
    open_link,
    registrant_of,
    request_link,
    row_of,
    season_for,
)
from service.season.registration import (
    OPEN_PHASE,
    Registrant,
    RegistrationClosedError,
    Role,
    registration_closed_message,
)

router = APIRouter(include_in_schema=False)
BASE = "/praktik/tilmelding"
FORM_PATHS: dict[Role, str] = {"host": f"{BASE}/vaert", "intern": f"{BASE}/praktikant"}
TEMPLATES: dict[Role, str] = {"host": "register_host.html", "intern": "register_intern.html"}
HOST_SLOTS = 3  # wished hosts, in order; and as many excluded ones
BAD_LINK = (
    "Linket virker ikke: det er udløbet, allerede erstattet af et nyt, eller skrevet forkert. "
    "Bed om et nyt link nedenfor."
)
WITHDRAWN: dict[Role, str] = {
    "host": "Din tilmelding som praktikvært er trukket tilbage.",
    "intern": "Din tilmelding som praktikant er trukket tilbage.",
}
SECTOR_LABELS = {"kommune": "Kommune", "region": "Region", "stat": "Stat"}


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from service.web import templates

    context.update(
        phase_labels=PHASE_LABELS,
        sector_labels=SECTOR_LABELS,
        max_days=MAX_DAYS,
        slots=HOST_SLOTS,
        form_paths=FORM_PATHS,
    )
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _landing(
    request: Request, status_code: int = 200, *, notice: str = "", error: str = ""
) -> HTMLResponse:
    registrant = registrant_of(request)
    try:
        season: Season | None = season_for(request, registrant)
    except SeasonError:
        season = None
    mine = {}
    if season is not None and registrant is not None:
        mine = get_state(request).registrations.mine(season.id, registrant)
    return _page(
        request,
        "registration.html",
        status_code,
        season=season,
        registrant=registrant,
        mine=mine,
        link_notice=notice,
        error=error,
        no_season=NO_SEASON,
        closed=_closed(season),
    )


def _closed(season: Season | None) -> str:
    if season is None or season.phase == OPEN_PHASE:
        return ""
    return registration_closed_message(season)


@router.get(BASE, response_class=HTMLResponse)
def landing(request: Request) -> HTMLResponse:
    return _landing(request)


@router.post(f"{BASE}/link", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def ask_for_link(
    request: Request, email: Annotated[str, Form(max_length=320)] = ""
) -> HTMLResponse:
    try:
        valid = LinkRequest(email=email)
    except ValidationError:
        error = "Skriv din arbejdsmail, fx fornavn.efternavn@kommune.dk."
        return _landing(request, status.HTTP_422_UNPROCESSABLE_CONTENT, error=error)
    client = request.client.host if request.client else ""
    wait = request.app.state.auth.throttle.attempt("registration_link", client)
    if wait is not None:
        error = THROTTLED_MESSAGE.format(seconds=max(1, int(wait)))
        return _landing(request, status.HTTP_429_TOO_MANY_REQUESTS, error=error)
    try:
        season = season_for(request, None)
    except SeasonError as exc:
        return _landing(request, status.HTTP_409_CONFLICT, error=str(exc))
    request_link(request, season, valid.email)
    return _landing(request, notice=LINK_ANSWER)


@router.get(f"{BASE}/adgang", response_class=HTMLResponse)
def follow_link(request: Request, token: Annotated[str, Query(max_length=100)] = "") -> Response:
    if open_link(request, token) is None:
        return _landing(request, status.HTTP_404_NOT_FOUND, error=BAD_LINK)
    return RedirectResponse(BASE, status.HTTP_303_SEE_OTHER)


@router.get(FORM_PATHS["host"], response_class=HTMLResponse)
def host_form(request: Request, gemt: str = "") -> Response:
    return _form_page(request, "host", saved_now=bool(gemt))


@router.get(FORM_PATHS["intern"], response_class=HTMLResponse)
def intern_form(request: Request, gemt: str = "") -> Response:
    return _form_page(request, "intern", saved_now=bool(gemt))


@router.post(FORM_PATHS["host"], response_class=HTMLResponse)
async def save_host(request: Request) -> Response:
    return await _save(request, "host")


@router.post(FORM_PATHS["intern"], response_class=HTMLResponse)
async def save_intern(request: Request) -> Response:
    return await _save(request, "intern")


@router.post(
    f"{BASE}/{{path}}/traek-tilbage",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf)],
)
def withdraw(request: Request, path: str) -> Response:
    role = next((r for r, p in FORM_PATHS.items() if p == f"{BASE}/{path}"), None)
    if role is None:
        return _landing(request, status.HTTP_404_NOT_FOUND, error="Siden findes ikke.")
    found = _registrant_and_season(request)
    if isinstance(found, Response):
        return found
    registrant, season = found
    try:
        gone = get_state(request).registrations.withdraw(season.id, registrant, role)
    except RegistrationClosedError as exc:
        return _landing(request, status.HTTP_409_CONFLICT, error=str(exc))
    notice = WITHDRAWN[role] if gone else ""
    return _landing(request, notice=notice)


def _registrant_and_season(request: Request) -> tuple[Registrant, Season] | Response:
    """Who registers and in which season, or the page to send them to instead."""
    registrant = registrant_of(request)
    if registrant is None:
        return RedirectResponse(BASE, status.HTTP_303_SEE_OTHER)
    try:
        return registrant, season_for(request, registrant)
    except SeasonError as exc:
        return _landing(request, status.HTTP_409_CONFLICT, error=str(exc))


def _form_page(
    request: Request,
    role: Role,
    status_code: int = 200,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    saved_now: bool = False,
) -> Response:
    found = _registrant_and_season(request)
    if isinstance(found, Response):
        return found
    registrant, season = found
    state = get_state(request)
    saved = state.registrations.mine(season.id, registrant).get(role)
    if values is None:
        values = _stored_values(role, saved.values) if saved else _fresh_values(role, registrant)
    if role == "intern":
        values = _with_host_names(request, season, values)
    return _page(
        request,
        TEMPLATES[role],
        status_code,
        season=season,
        registrant=registrant,
        saved=saved,
        values=values,
        errors=errors or {},
        closed=_closed(season),
        link_user=registrant.owner.startswith("mail:"),
        saved_now=saved_now and saved is not None,
    )


async def _save(request: Request, role: Role) -> Response:
    form = await request.form(max_fields=40)
    verify_csrf(request, form.get("csrf_token"))
    found = _registrant_and_season(request)
    if isinstance(found, Response):
        return found
    registrant, season = found
    values = _form_values(role, form, registrant)
    if role == "intern":
        values = _resolve_hosts(request, season, values)
    model: type[HostRegistration] | type[InternRegistration] = (
        HostRegistration if role == "host" else InternRegistration
    )
    errors: dict[str, str] = {}
    try:
        row = row_of(model.model_validate(_model_input(role, values)))
        get_state(request).registrations.save(season.id, registrant, role, row)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "_"
            errors.setdefault(name, _sentence(danish_error(dict(error))["message"]))
    except DataError as exc:
        for problem in exc.problems:
            errors.setdefault(problem.column or "_", _sentence(problem.message))
    except RegistrationClosedError as exc:
        errors["_"] = str(exc)
    if errors:
        return _form_page(
            request, role, status.HTTP_422_UNPROCESSABLE_CONTENT, values=values, errors=errors
        )
    return RedirectResponse(f"{FORM_PATHS[role]}?gemt=1", status.HTTP_303_SEE_OTHER)


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _fresh_values(role: Role, registrant: Registrant) -> dict[str, Any]:
    if role == "host":
        return {
            "contact_name": "" if registrant.owner.startswith("mail:") else registrant.name,
            "contact_email": registrant.email or "",
            "durations": [],
        }
    return {
        "name": "" if registrant.owner.startswith("mail:") else registrant.name,
        "email": registrant.email or "",
    }


def _stored_values(role: Role, row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = (
        model_of(HostRegistration, row) if role == "host" else model_of(InternRegistration, row)
    ).model_dump()
    if role == "intern":
        for key, prefix in (("wished_hosts", "wished_host"), ("excluded_hosts", "excluded_host")):
            for n, host_id in enumerate(values.pop(key), 1):
                values[f"{prefix}_{n}"] = host_id
    return values


def _form_values(role: Role, form: FormData, registrant: Registrant) -> dict[str, Any]:
    fields = HostRegistration.model_fields if role == "host" else InternRegistration.model_fields
    values: dict[str, Any] = {
        k: str(form.get(k, "")).strip() for k in fields if k not in _LIST_KEYS
    }
    if role == "host":
        values["durations"] = [str(d) for d in form.getlist("durations")]
    else:
        for prefix in ("wished_host", "excluded_host"):
            for n in range(1, HOST_SLOTS + 1):
                values[f"{prefix}_{n}"] = str(form.get(f"{prefix}_{n}", "")).strip()[:200]
                text = str(form.get(f"{prefix}_{n}_text", "")).strip()[:200]
                values[f"{prefix}_{n}_text"] = text
        if registrant.owner.startswith("mail:") and registrant.email:
            values["email"] = registrant.email  # the address the link confirmed
    return values


_LIST_KEYS = ("durations", "wished_hosts", "excluded_hosts")


def _model_input(role: Role, values: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in values.items() if not k.startswith(("wished_host_", "excluded_host_"))}
    if role == "intern":
        for key, prefix in (("wished_hosts", "wished_host"), ("excluded_hosts", "excluded_host")):
            data[key] = [
                values[f"{prefix}_{n}"]
                for n in range(1, HOST_SLOTS + 1)
                if values.get(f"{prefix}_{n}")
            ]
    return data


def _resolve_hosts(request: Request, season: Season, values: dict[str, Any]) -> dict[str, Any]:
    """A host typed without picking it from the list (no JavaScript): its id or exact unit name
    counts as picking it; anything else is kept, and the week's rule says it does not exist."""
    registrations = get_state(request).registrations
    for prefix in ("wished_host", "excluded_host"):
        for n in range(1, HOST_SLOTS + 1):
            text = values.get(f"{prefix}_{n}_text", "")
            if values.get(f"{prefix}_{n}") or not text:
                continue
            found = [
                h
                for h in registrations.host_choices(season.id, text, 20)
                if text.casefold() in (h["id"].casefold(), h.get("unit_name", "").casefold())
            ]
            values[f"{prefix}_{n}"] = found[0]["id"] if len(found) == 1 else text
    return values


def _with_host_names(request: Request, season: Season, values: dict[str, Any]) -> dict[str, Any]:
    """The picked hosts' names for the form's text boxes."""
    hosts = {
        h["id"]: h for h in get_state(request).registrations.host_choices(season.id, "", 10_000)
    }
    values = dict(values)
    for prefix in ("wished_host", "excluded_host"):
        for n in range(1, HOST_SLOTS + 1):
            host = hosts.get(values.get(f"{prefix}_{n}", ""))
            if host is not None and not values.get(f"{prefix}_{n}_text"):
                values[f"{prefix}_{n}_text"] = (
                    f"{host.get('unit_name', '')} ({host.get('organisation', '')})"
                )
    return values
