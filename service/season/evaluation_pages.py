"""The evaluation: the participants' questionnaire (by personal link, no account) and the
coordinators' summary with the seeds' figures as reference lines, exportable as CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.pairing.report import inert_text
from engine.season import SeasonError
from service.api.deps import get_state
from service.api.season_publish import base_url
from service.api.state import actor_of
from service.auth import Coordinator, check_csrf
from service.season.evaluation import EvaluationAnswer, EvaluationSummary
from service.season.links import PATHS, LinkError, LinkHolder
from service.season.pages import SEASONS_PATH, SeasonId, _season_page
from service.season.plots import bar_chart

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(min_length=16, max_length=64)]
YES_NO = {"ja": True, "nej": False}
QUESTIONS = (
    ("useful", "Fik du noget konkret ud af praktikken, som du kan bruge?"),
    ("recommend", "Vil du anbefale Innovationspraktikken til en kollega?"),
    ("again", "Vil du være med igen (som praktikant eller vært)?"),
)


@router.post(SEASONS_PATH + "/{season_id}/evaluering/inviter", dependencies=[Depends(check_csrf)])
def invite(request: Request, season_id: SeasonId, user: Coordinator) -> Response:
    state = get_state(request)
    try:
        letters = state.season_evaluation.invite(
            season_id, base_url(state, request), actor_of(user)
        )
    except SeasonError as exc:
        return _season_page(request, season_id, status.HTTP_409_CONFLICT, error=str(exc))
    state.mail.wake()
    notice = f"Evalueringen er lagt i posten til {letters} deltagere."
    return _season_page(request, season_id, season_notice=notice)


@router.get(SEASONS_PATH + "/{season_id}/evaluering", response_class=HTMLResponse)
def summary_page(request: Request, season_id: SeasonId, _: Coordinator) -> HTMLResponse:
    state = get_state(request)
    season = state.seasons.get(season_id)
    summary = state.season_evaluation.summary(season_id)
    return _page(
        request,
        "evaluation_summary.html",
        season=season,
        summary=summary,
        chart=_chart(summary),
    )


@router.get(SEASONS_PATH + "/{season_id}/evaluering.csv")
def summary_csv(request: Request, season_id: SeasonId, _: Coordinator) -> Response:
    summary = get_state(request).season_evaluation.summary(season_id)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow(["tal", "værdi", "reference"])
    for label, value, reference in _figure_rows(summary):
        writer.writerow([label, value, reference])
    writer.writerow([])
    writer.writerow(["rolle", "tager med hjem", "kommentar"])
    for text in summary.texts:
        writer.writerow(
            [
                "praktikant" if text["role"] == "intern" else "vært",
                inert_text(text["take_home"]),
                inert_text(text["comment"]),
            ]
        )
    return Response(
        ("\ufeff" + out.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="evaluering.csv"'},
    )


@router.get(PATHS["evaluation"] + "/{token}", response_class=HTMLResponse)
def questionnaire(request: Request, token: Token) -> HTMLResponse:
    evaluation = get_state(request).season_evaluation
    try:
        holder = evaluation.holder(token)
    except LinkError as exc:
        return _page(request, "evaluation.html", status.HTTP_404_NOT_FOUND, invalid=str(exc))
    return _questionnaire(request, holder, evaluation.answer_of(holder))


@router.post(PATHS["evaluation"] + "/{token}", response_class=HTMLResponse)
def answer(
    request: Request,
    token: Token,
    useful: Annotated[str, Form(max_length=3)] = "",
    recommend: Annotated[str, Form(max_length=3)] = "",
    again: Annotated[str, Form(max_length=3)] = "",
    take_home: Annotated[str, Form(max_length=4000)] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    evaluation = get_state(request).season_evaluation
    try:
        holder = evaluation.holder(token)
    except LinkError as exc:
        return _page(request, "evaluation.html", status.HTTP_404_NOT_FOUND, invalid=str(exc))
    given = {"useful": useful, "recommend": recommend, "again": again}
    errors = {key: "Vælg ja eller nej." for key, value in given.items() if value not in YES_NO}
    if errors:
        return _questionnaire(
            request, holder, None, status.HTTP_422_UNPROCESSABLE_CONTENT, errors=errors
        )
    reply = EvaluationAnswer(YES_NO[useful], YES_NO[recommend], YES_NO[again], take_home, comment)
    try:
        evaluation.answer(token, reply)
    except SeasonError as exc:
        return _questionnaire(request, holder, None, status.HTTP_409_CONFLICT, error=str(exc))
    return RedirectResponse(f"{PATHS['evaluation']}/{token}?svar=tak", status.HTTP_303_SEE_OTHER)


def _questionnaire(
    request: Request,
    holder: LinkHolder,
    given: EvaluationAnswer | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("errors", {})
    return _page(
        request,
        "evaluation.html",
        status_code,
        holder=holder,
        given=given,
        questions=QUESTIONS,
        thanks=request.query_params.get("svar") == "tak",
        **context,
    )


def _figure_rows(summary: EvaluationSummary) -> list[tuple[str, str, str]]:
    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value * 100:.0f} %"

    return [
        ("Par i alt", str(summary.pairs), ""),
        ("Begge sagde ja", str(summary.accepted), ""),
        ("Sagt nej", str(summary.declined), ""),
        ("Venter på svar", str(summary.waiting), ""),
        (
            "På tværs af sektorer",
            pct(summary.cross_sector_share),
            pct(summary.cross_sector_reference),
        ),
        ("Inviteret til evaluering", str(summary.invited), ""),
        ("Har svaret", str(summary.answered), ""),
        ("Fik noget konkret ud af det", pct(summary.useful_share), pct(summary.useful_reference)),
        ("Vil anbefale det", pct(summary.recommend_share), pct(summary.recommend_reference)),
        ("Vil være med igen", pct(summary.again_share), ""),
    ]


def _chart(summary: EvaluationSummary) -> Any:
    bars = [
        ("Konkret nytte", summary.useful_share),
        ("Anbefaler", summary.recommend_share),
        ("Med igen", summary.again_share),
        ("På tværs", summary.cross_sector_share),
    ]
    shown = [(label, value) for label, value in bars if value is not None]
    if not shown:
        return None
    return bar_chart(
        "Andel, der svarede ja, og andelen af par på tværs af sektorer",
        shown,
        maximum=1.0,
        reference=("3 af 4", summary.useful_reference),
        percent=True,
    )


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from service.web import templates

    context.setdefault("error", None)
    context.setdefault(
        "figure_rows", _figure_rows(context["summary"]) if "summary" in context else []
    )
    return templates.TemplateResponse(request, name, context, status_code=status_code)
