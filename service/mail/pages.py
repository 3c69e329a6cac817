"""/praktik/post: what tvaers has sent and what waits (all of it, when no SMTP host is set: a
demo on a laptop shows what would go out), for coordinators; given-up messages can be retried."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from engine.pairing.report import inert_text
from service.api.deps import get_state
from service.auth import Coordinator, check_csrf

router = APIRouter(include_in_schema=False)
OUTBOX_PATH = "/praktik/post"
STATUS_LABELS = {
    "waiting": "venter",
    "sending": "sendes nu",
    "sent": "sendt",
    "failed": "opgivet",
}
TOPIC_LABELS = {
    "registration_link": "tilmeldingslink",
    "season_letter": "brev om par",
    "evaluation": "evaluering",
}
SHOWN = 500


@router.get(OUTBOX_PATH, response_class=HTMLResponse)
def outbox_page(request: Request, _: Coordinator) -> HTMLResponse:
    from service.web import templates

    state = get_state(request)
    context = {
        "messages": state.outbox.messages(limit=SHOWN),
        "counts": state.outbox.counts(),
        "sending": state.mail.enabled,
        "status_labels": STATUS_LABELS,
        "topic_labels": TOPIC_LABELS,
        "shown": SHOWN,
    }
    return templates.TemplateResponse(request, "mail_outbox.html", context)


@router.get(f"{OUTBOX_PATH}.csv")
def outbox_csv(request: Request, _: Coordinator) -> Response:
    """Every message, so a coordinator without SMTP can send them from their own mail."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow(["til", "emne", "tekst", "status", "lavet"])
    for m in get_state(request).outbox.messages(limit=1_000_000):
        writer.writerow(
            [
                inert_text(m.to_address),
                inert_text(m.subject),
                inert_text(m.body),
                STATUS_LABELS[m.status],
                m.made_at.isoformat(sep=" "),
            ]
        )
    return Response(
        ("\ufeff" + buffer.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="post.csv"'},
    )


@router.post(f"{OUTBOX_PATH}/igen", dependencies=[Depends(check_csrf)])
def retry_failed(request: Request, _: Coordinator) -> RedirectResponse:
    state = get_state(request)
    state.outbox.retry_failed()
    state.mail.wake()
    return RedirectResponse(OUTBOX_PATH, status.HTTP_303_SEE_OTHER)
