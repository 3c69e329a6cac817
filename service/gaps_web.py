"""The search-gap page for coordinators and admins: "Det leder folk efter, som ingen har
skrevet om" (GET /soegehuller)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from service.api.deps import get_state
from service.auth import Role, User, require_role
from service.web import templates

router = APIRouter(include_in_schema=False)
PERIODS = {7: "den seneste uge", 30: "de seneste 30 dage", 90: "de seneste 90 dage"}


@router.get("/soegehuller", response_class=HTMLResponse)
def search_gaps_page(
    request: Request,
    user: Annotated[User, Depends(require_role(Role.coordinator))],
    dage: Annotated[int, Query(ge=1, le=3650)] = 30,
) -> HTMLResponse:
    gaps = get_state(request).gaps
    days = min(dage, gaps.retention_days)
    rows = [
        {
            "gap": gap,
            "url": "/?" + urlencode({"q": gap.query}),
            "outcome": "ingen resultater" if gap.hits == 0 else "kun svage resultater",
        }
        for gap in gaps.report(days, limit=100)
    ]
    periods = {d: label for d, label in PERIODS.items() if d <= gaps.retention_days}
    periods.setdefault(days, f"de seneste {days} dage")
    return templates.TemplateResponse(
        request,
        "gaps.html",
        {
            "rows": rows,
            "days": days,
            "periods": dict(sorted(periods.items())),
            "enabled": gaps.enabled,
            "retention_days": gaps.retention_days,
            "user": user,
            "active": "gaps",
        },
    )
