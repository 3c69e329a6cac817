"""After the review: the coordinators' publish and second-round buttons, and the participants'
answer page reached by their personal link (no account: the link's secret is the key).

The participants' forms carry no CSRF token: they act only through the secret in their own
address, which another site cannot know."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.season import SeasonError
from indexer.errors import DataError, TvaersError
from service.api.deps import get_state
from service.api.season_publish import base_url
from service.api.state import actor_of
from service.auth import Coordinator, check_csrf
from service.mail.letters import builtin_template
from service.season.labels import ANSWER_LABELS
from service.season.links import PATHS, LinkError, LinkHolder
from service.season.pages import SEASONS_PATH, SeasonId, _season_page

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(min_length=16, max_length=64)]
STATUS_LABELS = {
    "accepted": "begge har sagt ja",
    "declined": "sagt nej",
    "waiting": "venter på svar",
}


@router.post(SEASONS_PATH + "/{season_id}/offentliggoer", dependencies=[Depends(check_csrf)])
def publish(
    request: Request,
    season_id: SeasonId,
    user: Coordinator,
    scenario_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    state = get_state(request)
    try:
        result = state.season_publishing.publish(
            season_id, scenario_id, base_url(state, request), actor_of(user)
        )
    except SeasonError as exc:
        return _season_page(request, season_id, status.HTTP_409_CONFLICT, error=str(exc))
    state.mail.wake()
    notice = (
        f"{len(result.new_pairs)} par er offentliggjort; {result.letters} breve er lagt i posten."
    )
    return _season_page(request, season_id, season_notice=notice, missing=result.without_address)


@router.post(SEASONS_PATH + "/{season_id}/breve", dependencies=[Depends(check_csrf)])
def set_letters(
    request: Request,
    season_id: SeasonId,
    user: Coordinator,
    intern_letter: Annotated[str, Form(max_length=20_000)] = "",
    host_letter: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """An emptied text, or one equal to the built-in, means the built-in text."""
    publishing = get_state(request).season_publishing
    builtin = {role: builtin_template(f"season_{role}") for role in ("intern", "host")}
    given = {"intern": intern_letter, "host": host_letter}
    texts = {
        role: text if text.strip() and _same(text) != _same(builtin[role]) else None
        for role, text in given.items()
    }
    try:
        publishing.set_letters(season_id, texts, actor_of(user))  # type: ignore[arg-type]
    except TvaersError as exc:
        return _season_page(
            request, season_id, status.HTTP_422_UNPROCESSABLE_CONTENT, error=str(exc)
        )
    return _season_page(request, season_id, season_notice="Brevene er gemt.")


def _same(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().replace("\r\n", "\n").splitlines())


@router.post(SEASONS_PATH + "/{season_id}/paamind", dependencies=[Depends(check_csrf)])
def remind(request: Request, season_id: SeasonId, user: Coordinator) -> Response:
    state = get_state(request)
    try:
        letters = state.season_publishing.remind(
            season_id, base_url(state, request), actor_of(user)
        )
    except SeasonError as exc:
        return _season_page(request, season_id, status.HTTP_409_CONFLICT, error=str(exc))
    state.mail.wake()
    notice = f"En påmindelse er lagt i posten til {letters}, der ikke har svaret."
    return _season_page(request, season_id, season_notice=notice)


@router.post(SEASONS_PATH + "/{season_id}/ny-runde", dependencies=[Depends(check_csrf)])
async def second_round(request: Request, season_id: SeasonId, user: Coordinator) -> Response:
    state = get_state(request)
    try:
        result = await run_in_threadpool(
            state.season_publishing.second_round,
            season_id,
            state.pairing_embedder,
            base_url(state, request),
            actor_of(user),
        )
    except (SeasonError, DataError) as exc:
        return _season_page(request, season_id, status.HTTP_409_CONFLICT, error=str(exc))
    state.mail.wake()
    notice = (
        f"Runde {result.round}: {len(result.new_pairs)} nye par (de {result.kept} par, der står "
        f"ved magt, er holdt); {result.unmatched} praktikanter har stadig ingen plads; "
        f"{result.letters} breve er lagt i posten."
    )
    return _season_page(request, season_id, season_notice=notice, missing=result.without_address)


@router.get(PATHS["answer"] + "/{token}", response_class=HTMLResponse)
def answer_page(request: Request, token: Token) -> HTMLResponse:
    try:
        holder = get_state(request).season_publishing.holder(token)
    except LinkError as exc:
        return _page(request, "answer.html", status.HTTP_404_NOT_FOUND, invalid=str(exc))
    return _answer_page(request, holder)


@router.post(PATHS["answer"] + "/{token}", response_class=HTMLResponse)
def answer(
    request: Request,
    token: Token,
    intern_id: Annotated[str, Form(max_length=200)],
    host_id: Annotated[str, Form(max_length=200)],
    choice: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    publishing = get_state(request).season_publishing
    try:
        holder = publishing.holder(token)
    except LinkError as exc:
        return _page(request, "answer.html", status.HTTP_404_NOT_FOUND, invalid=str(exc))
    if choice not in ANSWER_LABELS:
        return _answer_page(
            request, holder, status.HTTP_422_UNPROCESSABLE_CONTENT, error="Vælg et svar."
        )
    try:
        publishing.answer(token, intern_id, host_id, choice, reason)  # type: ignore[arg-type]
    except SeasonError as exc:
        return _answer_page(request, holder, status.HTTP_409_CONFLICT, error=str(exc))
    return RedirectResponse(f"{PATHS['answer']}/{token}?svar=tak", status.HTTP_303_SEE_OTHER)


def _answer_page(
    request: Request, holder: LinkHolder, status_code: int = 200, **context: Any
) -> HTMLResponse:
    state = get_state(request)
    week = state.season_review.week(holder.season.id)
    hosts = {h.id: h for h in week.hosts}
    interns = {i.id: i for i in week.interns}
    rows = [
        {"pair": p, "host": hosts.get(p.host_id), "intern": interns.get(p.intern_id)}
        for p in state.season_publishing.pairs_of(holder)
    ]
    return _page(
        request,
        "answer.html",
        status_code,
        holder=holder,
        rows=rows,
        thanks=request.query_params.get("svar") == "tak",
        **context,
    )


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from service.web import templates

    context.update(answer_labels=ANSWER_LABELS, status_labels=STATUS_LABELS)
    context.setdefault("error", None)
    return templates.TemplateResponse(request, name, context, status_code=status_code)
