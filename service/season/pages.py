"""The coordinators' season pages: /praktik/saesoner (all seasons, a new one) and one season."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.pairing import Mode, PairingWeights
from engine.season import PHASES, Phase, SeasonDates, SeasonError
from indexer.errors import DataError
from indexer.tables import read_table_bytes
from service.api.deps import get_state
from service.api.errors import problems_json
from service.api.pairing_input import UPLOAD_EXCEL_LIMITS, UploadTooLargeError, read_week_form
from service.api.state import actor_of
from service.auth import Coordinator, check_csrf, verify_csrf
from service.season.labels import ANSWER_LABELS, NEXT_STEP_LABELS, PHASE_LABELS
from service.season.plots import bar_chart, group_bars
from service.season.review import ScenarioSpec

router = APIRouter(include_in_schema=False)
CAUSE_LABELS = {
    "length": "ingen vært tilbyder længden",
    "own_organisation": "kun egen organisation tilbyder længden",
    "exclusion": "har selv udelukket de mulige værter",
    "capacity": "de mulige værter er fyldt op",
}
SEASONS_PATH = "/praktik/saesoner"
SeasonId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # an SQL INTEGER
FORM_FIELDS = ("name", "registration_opens", "registration_deadline", "week_starts", "week_ends")


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from service.web import templates

    context.update(
        phase_labels=PHASE_LABELS,
        next_step_labels=NEXT_STEP_LABELS,
        phases=PHASES,
        answer_labels=ANSWER_LABELS,
    )
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
def season_page(request: Request, season_id: SeasonId, _: Coordinator) -> HTMLResponse:
    return _season_page(request, season_id)


def _season_page(
    request: Request, season_id: int, status_code: int = 200, **context: Any
) -> HTMLResponse:
    state = get_state(request)
    season = state.seasons.get(season_id)
    context.setdefault("error", None)
    context.setdefault("problems", [])
    return _page(
        request,
        "season.html",
        status_code,
        season=season,
        counts=state.season_review.participant_counts(season_id),
        participants=state.season_review.participants(season_id),
        locks=state.season_review.locks(season_id),
        scenarios=state.season_review.scenarios(season_id),
        pairs=state.season_publishing.pairs(season_id),
        letters=state.season_publishing.letters(season_id),
        **context,
    )


@router.post(SEASONS_PATH + "/{season_id}/deltagere", response_class=HTMLResponse)
async def import_participants(request: Request, season_id: SeasonId, user: Coordinator) -> Response:
    state = get_state(request)
    try:
        form = await read_week_form(request)
    except UploadTooLargeError as exc:
        return _season_page(request, season_id, 413, error=str(exc))
    verify_csrf(request, form.csrf_token)
    if form.missing:
        labels = {"hosts": "værter", "interns": "praktikanter"}
        error = f"Vælg en fil med {' og '.join(labels[k] for k in form.missing)}."
        return _season_page(request, season_id, 422, error=error)
    try:
        tables = {
            key: read_table_bytes(data, name=name, excel_limits=UPLOAD_EXCEL_LIMITS)
            for key, (name, data) in form.files.items()
        }
        state.season_review.import_participants(
            season_id, tables["hosts"], tables["interns"], actor_of(user)
        )
    except DataError as exc:
        error = "Filerne kunne ikke bruges. Ret disse fejl, og prøv igen:"
        problems = problems_json(exc.problems)
        return _season_page(request, season_id, 422, error=error, problems=problems)
    except SeasonError as exc:
        return _season_page(request, season_id, 409, error=str(exc))
    return RedirectResponse(f"{SEASONS_PATH}/{season_id}", status.HTTP_303_SEE_OTHER)


@router.post(
    SEASONS_PATH + "/{season_id}/laase",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf)],
)
def lock_pair(
    request: Request,
    season_id: SeasonId,
    user: Coordinator,
    intern_id: Annotated[str, Form(max_length=200)] = "",
    host_id: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    review = get_state(request).season_review
    try:
        review.lock(season_id, intern_id.strip(), host_id.strip(), reason, actor_of(user))
    except DataError as exc:
        problems = problems_json(exc.problems)
        return _season_page(
            request, season_id, 422, error="Parret kan ikke låses:", problems=problems
        )
    except SeasonError as exc:
        return _season_page(request, season_id, 422, error=str(exc))
    return RedirectResponse(f"{SEASONS_PATH}/{season_id}", status.HTTP_303_SEE_OTHER)


@router.post(
    SEASONS_PATH + "/{season_id}/scenarier",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf)],
)
async def run_scenario(
    request: Request,
    season_id: SeasonId,
    user: Coordinator,
    name: Annotated[str, Form(max_length=200)] = "",
    mode: Annotated[str, Form()] = "optimal",
    cross_sector_bonus: Annotated[float, Form(ge=0, le=10)] = 0.1,
    first_wish_bonus: Annotated[float, Form(ge=0, le=10)] = 1.0,
) -> Response:
    state = get_state(request)
    chosen_mode: Mode = "stable" if mode == "stable" else "optimal"
    wishes = (first_wish_bonus, first_wish_bonus * 0.7, first_wish_bonus * 0.5)
    spec = ScenarioSpec(
        name or ("Stabil" if chosen_mode == "stable" else "Bedst samlet"),
        chosen_mode,
        PairingWeights(wished_host_bonus=wishes, cross_sector_bonus=cross_sector_bonus),
    )
    try:
        await run_in_threadpool(
            state.season_review.run, season_id, spec, state.pairing_embedder, actor_of(user)
        )
    except DataError as exc:
        problems = problems_json(exc.problems)
        return _season_page(
            request, season_id, 422, error="Scenariet kunne ikke køres:", problems=problems
        )
    except SeasonError as exc:
        return _season_page(request, season_id, 409, error=str(exc))
    return RedirectResponse(f"{SEASONS_PATH}/{season_id}/scenarier", status.HTTP_303_SEE_OTHER)


@router.get(SEASONS_PATH + "/{season_id}/scenarier", response_class=HTMLResponse)
def compare_scenarios(request: Request, season_id: SeasonId, _: Coordinator) -> HTMLResponse:
    """Every scenario of the season side by side (newest first), each with its fairness."""
    state = get_state(request)
    season = state.seasons.get(season_id)
    scenarios = state.season_review.scenarios(season_id)
    return _page(
        request,
        "scenarios.html",
        season=season,
        scenarios=scenarios,
        bar_chart=bar_chart,
        group_bars=group_bars,
        cause_labels=CAUSE_LABELS,
    )


@router.post(
    SEASONS_PATH + "/{season_id}/fase",
    response_class=HTMLResponse,
    dependencies=[Depends(check_csrf)],
)
def advance_season(
    request: Request,
    season_id: SeasonId,
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
def make_current(request: Request, season_id: SeasonId, user: Coordinator) -> Response:
    get_state(request).seasons.make_current(season_id, actor_of(user))
    return RedirectResponse(f"{SEASONS_PATH}/{season_id}", status.HTTP_303_SEE_OTHER)
