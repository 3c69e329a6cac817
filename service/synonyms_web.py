"""The admins' synonym list: GET/PUT /api/synonyms and the page /admin/synonymer.

The list is a row in the database (`engine.synonyms.SynonymTable`): every process on the
database looks at its revision at most every quarter second, so a change applies to the next
searches of every worker and replica, without a restart.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from engine.synonyms import SynonymTable, bundled, format_groups
from service.api.deps import get_state
from service.auth import Admin, check_csrf

api = APIRouter(prefix="/api", tags=["synonymer"])
pages = APIRouter(include_in_schema=False)
MAX_TEXT = 200_000


class SynonymsPublic(BaseModel):
    groups: list[list[str]] = Field(
        description="Administratorernes grupper: ord og udtryk, der betyder det samme"
    )
    bundled: int = Field(0, description="Antal grupper i den medfølgende liste (læses kun)")


class SynonymsIn(BaseModel):
    groups: list[list[Annotated[str, Field(max_length=200)]]] = Field(max_length=5000)


def _file(request: Request) -> SynonymTable:
    synonyms: SynonymTable = get_state(request).synonyms
    return synonyms


@api.get("/synonyms", response_model=SynonymsPublic, summary="Administratorernes synonymliste")
def get_synonyms(request: Request, _: Admin) -> SynonymsPublic:
    return SynonymsPublic(groups=_file(request).read(), bundled=len(bundled().groups))


@api.put("/synonyms", response_model=SynonymsPublic, summary="Erstat synonymlisten")
def put_synonyms(request: Request, body: SynonymsIn, _: Admin) -> SynonymsPublic:
    if any("," in member for group in body.groups for member in group):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "Et ord må ikke indeholde komma: giv hvert ord som sit eget element i gruppen.",
        )
    try:
        groups = _file(request).write(format_groups(body.groups))
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    return SynonymsPublic(groups=groups, bundled=len(bundled().groups))


@pages.get("/admin/synonymer", response_class=HTMLResponse)
def synonyms_page(request: Request, user: Admin) -> HTMLResponse:
    return _page(request, user, _file(request).text(), None, saved=request.query_params.get("gemt"))


@pages.post("/admin/synonymer", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def synonyms_change(
    request: Request, user: Admin, liste: Annotated[str, Form(max_length=MAX_TEXT)] = ""
) -> Response:
    text = liste.replace("\r\n", "\n")
    try:
        _file(request).write(text)
    except ValueError as error:
        return _page(request, user, text, str(error), status_code=422)
    return RedirectResponse("/admin/synonymer?gemt=1", status.HTTP_303_SEE_OTHER)


def _page(
    request: Request,
    user: Any,
    text: str,
    error: str | None,
    *,
    saved: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    from service.web import templates

    context = {
        "text": text,
        "error": error,
        "saved": bool(saved) and error is None,
        "bundled": bundled().groups,
        "user": user,
        "active": "admin",
    }
    return templates.TemplateResponse(request, "synonyms.html", context, status_code=status_code)
