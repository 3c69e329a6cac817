"""The Danish web page: search (/), a unit's page (/enheder/{id}) and pairing (/praktik).

Server-rendered with Jinja (autoescaped); a little vanilla JS updates results as the user types.
Every asset is served from /static: the page works without internet. Pages name their own
files by path only (`/static/style.css`, never `http://host:port/static/…`), so they work behind a
TLS proxy whatever address the proxy asked us on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from engine.recommend import recommend_for_unit
from engine.results import Filters
from engine.search import MAX_QUERY_CHARS
from indexer.errors import DataError, NotFoundError
from service.api.deps import get_state
from service.api.errors import problems_json
from service.api.hits import facet_counts_public, hit_public, with_confirmed
from service.api.pairing_input import (
    UploadTooLargeError,
    proposal_public,
    read_week_form,
    run_pairing,
    week_from_uploads,
)
from service.api.schemas.search import FacetCountsPublic, HitPublic
from service.api.units import recommendation_public, unit_detail
from service.auth import CurrentUser, Role, User, csrf_token, verify_csrf
from service.auth.acting import ACTING_KEY, ActingAs
from service.auth.session import USER_KEY, take_notice
from service.season.book import Season
from service.season.labels import PHASE_LABELS
from service.season.review import Scenario

TEMPLATES_DIR = Path(__file__).parent / "templates"
PAGE_SIZE = 20
KINDS = {"unit": "Enheder", "person": "Kolleger", "trial": "Prøvehandlinger"}
MATCHED_BY = {"meaning": "betydning", "words": "ord", "both": "ord og betydning"}

templates = Jinja2Templates(directory=TEMPLATES_DIR)
router = APIRouter(include_in_schema=False)


def highlighted(snippet: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The snippet cut into (text, highlighted) parts; the template escapes each part."""
    parts: list[tuple[str, bool]] = []
    last = 0
    for start, end in sorted(spans):
        start, end = max(start, last), min(end, len(snippet))
        if start >= end:
            continue
        if start > last:
            parts.append((snippet[last:start], False))
        parts.append((snippet[start:end], True))
        last = end
    if last < len(snippet):
        parts.append((snippet[last:], False))
    return parts


@pass_context
def url_path_for(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
    """Templates' `url_for`: the path only (with the app's root path), never scheme and host."""
    request: Request = context["request"]
    return request.url_for(name, **path_params).path


def user_of(request: Request) -> User | None:
    user: User | None = request.scope.get(USER_KEY)
    return user


def acting_of(request: Request) -> ActingAs | None:
    """The role local sign-in's administrator looks through (the banner says so)."""
    acting: ActingAs | None = request.scope.get(ACTING_KEY)
    return acting


def editing_enabled(request: Request) -> bool:
    return bool(request.app.state.auth.editing_enabled)


def current_season(request: Request) -> Season | None:
    """The season the Innovationspraktik pages show, if a coordinator made one."""
    return get_state(request).seasons.current()


templates.env.globals.update(
    url_for=url_path_for,
    highlighted=highlighted,
    kinds=KINDS,
    matched_by=MATCHED_BY,
    max_query=MAX_QUERY_CHARS,
    csrf_token=csrf_token,
    take_notice=take_notice,
    user_of=user_of,
    acting_of=acting_of,
    editing_enabled=editing_enabled,
    current_season=current_season,
    phase_labels=PHASE_LABELS,
)


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def render_error(request: Request, code: int, message: str) -> HTMLResponse:
    return _page(request, "error.html", code, code=code, message=message)


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request) -> HTMLResponse:
    """Works without JS (the form submits); with JS, results follow the typing."""
    state = get_state(request)
    params = request.query_params
    q = params.get("q", "")[:MAX_QUERY_CHARS]
    chosen = {k: params.get(k, "")[:200] for k in ("kind", "organisation", "sector", "area")}
    kind = chosen["kind"] if chosen["kind"] in KINDS else None
    hits: list[HitPublic] = []
    nearest: list[HitPublic] = []
    results = None
    counts: FacetCountsPublic | None = None
    with state.reading() as searcher:
        facets = state.facets
        if q.strip():
            filters = Filters(
                kind,  # type: ignore[arg-type]
                chosen["organisation"] or None,
                chosen["sector"] or None,
                chosen["area"] or None,
            )
            results = searcher.search_by_text(q, filters, limit=PAGE_SIZE, with_facet_counts=True)
            hits = [hit_public(h, searcher.index) for h in results.hits]
            hits = with_confirmed(hits, state.freshness)
            nearest = [hit_public(h, searcher.index) for h in results.nearest]
            counts = facet_counts_public(results, facets)
    if results is not None:
        state.on_search(results.took_ms)
        state.gaps.count(q, results)  # the form sent without JS, or a link to a search
    return _page(
        request,
        "search.html",
        q=q,
        chosen=chosen,
        facets=facets,
        results=results,
        hits=hits,
        nearest=nearest,
        counts=counts,
    )


@router.get("/enheder/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, unit_id: str) -> HTMLResponse:
    state = get_state(request)
    other = request.query_params.get("andre") in ("1", "on", "true")
    try:
        unit = unit_detail(state, unit_id[:200])
    except NotFoundError as exc:
        return render_error(request, status.HTTP_404_NOT_FOUND, str(exc))
    with state.reading() as searcher:
        similar = searcher.similar_units(unit.id, limit=6, other_organisations=other)
        similar_hits = [hit_public(h, searcher.index) for h in similar]
        found = recommend_for_unit(searcher, unit.id, limit=5)
        trials = [recommendation_public(r, searcher.index) for r in found.trials]
        people = [recommendation_public(r, searcher.index) for r in found.people]
    return _page(
        request,
        "unit.html",
        unit=unit,
        similar=similar_hits,
        other=other,
        recommended_trials=trials,
        recommended_people=people,
    )


def _pairing_refusal(request: Request, user: User | None) -> HTMLResponse | None:
    """Innovationspraktik needs a coordinator (a first upload costs ~14 s of embedding)."""
    if user is not None and user.has(Role.coordinator):
        return None
    enabled = editing_enabled(request)
    code = status.HTTP_403_FORBIDDEN if user is not None or not enabled else 401
    return _page(request, "pairing_closed.html", code, user=user, enabled=enabled)


@router.get("/praktik", response_class=HTMLResponse)
def pairing_page(request: Request, user: CurrentUser) -> HTMLResponse:
    refusal = _pairing_refusal(request, user)
    if refusal is not None:
        return refusal
    return _page(
        request,
        "pairing.html",
        result=None,
        problems=[],
        error=None,
        mode="optimal",
        latest=latest_scenario(request),
    )


def latest_scenario(request: Request) -> Scenario | None:
    """The current season's newest proposal, shown on /praktik at once."""
    season = current_season(request)
    if season is None:
        return None
    newest = get_state(request).season_review.scenarios(season.id)
    return newest[0] if newest else None


@router.post("/praktik", response_class=HTMLResponse)
async def pairing_upload(request: Request, user: CurrentUser) -> Response:
    """The same as POST /api/pairings, shown as a page with the figures and downloads."""
    refusal = _pairing_refusal(request, user)
    if refusal is not None:
        return refusal
    state = get_state(request)
    context: dict[str, Any] = {
        "result": None,
        "problems": [],
        "error": None,
        "mode": "optimal",
        "latest": None,
    }
    try:
        form = await read_week_form(request)
    except UploadTooLargeError as exc:
        context["error"] = str(exc)
        return _page(request, "pairing.html", status.HTTP_413_CONTENT_TOO_LARGE, **context)
    verify_csrf(request, form.csrf_token)
    mode = context["mode"] = "stable" if form.mode == "stable" else "optimal"
    if form.missing:
        labels = {"hosts": "værter", "interns": "praktikanter"}
        context["error"] = f"Vælg en fil med {' og '.join(labels[k] for k in form.missing)}."
        return _page(request, "pairing.html", status.HTTP_422_UNPROCESSABLE_CONTENT, **context)
    uploads = form.files
    try:
        week = week_from_uploads(uploads["hosts"], uploads["interns"], uploads.get("locks"))
        owner = user.subject if user is not None else None
        proposal_id, proposal = await run_in_threadpool(run_pairing, state, week, mode, owner)
    except DataError as exc:
        context["error"] = "Filerne kunne ikke bruges. Ret disse fejl, og prøv igen:"
        context["problems"] = problems_json(exc.problems)
        return _page(request, "pairing.html", status.HTTP_422_UNPROCESSABLE_CONTENT, **context)
    context["result"] = proposal_public(proposal_id, proposal)
    return _page(request, "pairing.html", **context)


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def install_web(app: FastAPI) -> None:
    app.include_router(router)
    app.state.render_error = render_error
