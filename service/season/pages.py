"""The coordinators' season pages: /praktik/saesoner (all seasons, a new one) and one season."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.season import PHASES, Phase, SeasonDates, SeasonError
from service.api.deps import get_state
from service.api.state import actor_of
from service.auth import Coordinator, check_csrf
from service.season.labels import NEXT_STEP_LABELS, PHASE_LABELS

router = APIRouter(include_in_schema=False)
SEASONS_PATH = "/praktik/saesoner"
FORM_FIELDS = ("name", "registration_opens", "registration_deadline", "week_starts", "week_ends")


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from service.web import templates

    context.update(phase_labels=PHASE_LABELS, next_step_labels=NEXT_STEP_LABELS, phases=PHASES)
    return templates.TemplateResponse(request, name, context, status_code=status_code)


@router.get(SEASONS_PATH, response_class=HTMLResponse)
def seasons_page(request: Request, _: Coordinator) -> HTMLResponse:
    seasons = get_state(request).seasons.all()
    return _page(request, "seasons.html", seasons=seasons, form={}, errors={})


@router.post(SEASONS_PATH, response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
async def create_season(request: Request, user: Coordinator) -> Response:
    form = {k: str(v).strip() for k, v in (await request.form()).items() if k in FORM_FIELDS}
    form["current"] = "1" if (await request.form()).get("current") else ""
    errors: dict[str, str] = {}
    if not form.get("name"):
        errors["name"] = "Giv sæsonen et navn."
    elif len(form["name"]) > 200:
        errors["name"] = "Navnet må højst være 200 tegn."
    days: dict[str, dt.date] = {}
    for key in FORM_FIELDS[1:]:
        try:
            days[key] = dt.date.fromisoformat(form.get(key, ""))
        except ValueError:
            errors[key] = "Skriv en dato (åååå-mm-dd)."
    state = get_state(request)
    if not errors:
        try:
            season = state.seasons.create(
                form["name"], SeasonDates(**days), actor_of(user), current=bool(form["current"])
            )
        except SeasonError as exc:
            errors["dates"] = str(exc)
        else:
            return RedirectResponse(f"{SEASONS_PATH}/{season.id}", status.HTTP_303_SEE_OTHER)
    return _page(
        request,
        "seasons.html",
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        seasons=state.seasons.all(),
        form=form,
        errors=errors,
    )


@router.get(SEASONS_PATH + "/{season_id}", response_class=HTMLResponse)
def season_page(request: Request, season_id: int, _: Coordinator) -> HTMLResponse:
    return _season_page(request, season_id)


def _season_page(
    request: Request, season_id: int, status_code: int = 200, **context: Any
) -> HTMLResponse:
    season = get_state(request).seasons.get(season_id)
    context.setdefault("error", None)
    return _page(request, "season.html", status_code, season=season, **context)


@router.post(
    SEASONS_PATH + "/{season_id}/fase",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf)],
)
def advance_season(
    request: Request,
    season_id: int,
    user: Coordinator,
    expected: Annotated[Phase, Form()],
) -> Response:
    try:
        get_state(request).seasons.advance(season_id, expected, actor_of(user))
    except SeasonError as exc:
        return _season_page(request, season_id, status.HTTP_409_CONFLICT, error=str(exc))
    return RedirectResponse(f"{SEASONS_PATH}/{season_id}", status.HTTP_303_SEE_OTHER)


@router.post(
    SEASONS_PATH + "/{season_id}/aktuel",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf)],
)
def make_current(request: Request, season_id: int, user: Coordinator) -> Response:
    get_state(request).seasons.make_current(season_id, actor_of(user))
    return RedirectResponse(f"{SEASONS_PATH}/{season_id}", status.HTTP_303_SEE_OTHER)
