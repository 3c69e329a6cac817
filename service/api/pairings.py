"""POST /api/pairings: the week's proposal from uploads (CSV/Excel) or JSON; downloads."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from engine.pairing import proposal_bytes
from service.api.deps import StateDep
from service.api.pairing_input import (
    MEDIA_TYPES,
    Format,
    UploadTooLargeError,
    proposal_public,
    read_week_form,
    run_pairing,
    week_from_json,
    week_from_uploads,
)
from service.api.schemas.pairing import PairingPublic, PairingRequest, ProposalDeleted
from service.auth import Coordinator, Role, User

router = APIRouter(prefix="/api/pairings", tags=["praktik"])
GONE = (
    "Forslaget findes ikke (længere): forslag slettes efter et døgn, når nogen beder om det, "
    "og når en person i det bliver slettet. Lav forslaget igen, og hent det derefter."
)
UPLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["hosts", "interns"],
    "properties": {
        "hosts": {"type": "string", "format": "binary", "description": "hosts.csv eller .xlsx"},
        "interns": {"type": "string", "format": "binary", "description": "interns.csv/.xlsx"},
        "locks": {"type": "string", "format": "binary", "description": "locks.csv (valgfri)"},
        "mode": {"type": "string", "enum": ["optimal", "stable"], "default": "optimal"},
    },
}
REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": UPLOAD_SCHEMA},
        "application/json": {"schema": {"$ref": "#/components/schemas/PairingRequest"}},
    },
}


@router.post(
    "",
    response_model=PairingPublic,
    summary="Foreslå par af praktikanter og værter",
    openapi_extra={"requestBody": REQUEST_BODY},
)
async def propose(request: Request, state: StateDep, user: Coordinator) -> PairingPublic:
    """Upload hosts, interns (and locks) as multipart CSV/Excel files, or send the week as JSON.

    The answer holds the proposal, the interns without a place and the figures, and an id for
    downloading the same proposal as CSV or Excel.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        week_request = _json_week(await request.body())
        week = week_from_json(week_request)
        mode: str = week_request.mode
    elif content_type == "multipart/form-data":
        uploads, mode = await _uploaded_week(request)
        week = week_from_uploads(uploads["hosts"], uploads["interns"], uploads.get("locks"))
    else:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "Send ugen som multipart/form-data (filer) eller som application/json.",
        )
    proposal_id, proposal = await run_in_threadpool(run_pairing, state, week, mode, user.subject)
    return proposal_public(proposal_id, proposal)


def owner_filter(user: User) -> str | None:
    """A proposal is its maker's (it names interns): admins reach every one, anyone else only
    their own; another coordinator's id answers 404, as if it were gone."""
    return None if user.role is Role.admin else user.subject


@router.get("/{proposal_id}/download", summary="Hent forslaget som CSV eller Excel")
def download(
    state: StateDep,
    user: Coordinator,
    proposal_id: Annotated[str, Path(min_length=1, max_length=64)],
    format: Annotated[Format, Query(description="csv eller xlsx")] = "csv",
) -> Response:
    proposal = state.proposals.get(proposal_id, owner_filter(user))
    if proposal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, GONE)
    return Response(
        proposal_bytes(proposal, format),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="praktikforslag.{format}"'},
    )


@router.delete(
    "/{proposal_id}",
    response_model=ProposalDeleted,
    summary="Slet et forslag",
)
def delete_proposal(
    state: StateDep,
    user: Coordinator,
    proposal_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> ProposalDeleted:
    """Proposals name interns: delete one once it is sent on (they also expire by themselves).

    Like the download, only the coordinator who made it (or an admin) may."""
    if not state.proposals.delete(proposal_id, owner_filter(user)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, GONE)
    return ProposalDeleted(id=proposal_id, message="Forslaget er slettet.")


def _json_week(body: bytes) -> PairingRequest:
    try:
        return PairingRequest.model_validate(json.loads(body))
    except json.JSONDecodeError as exc:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "msg": "ugyldig JSON", "input": None}]
        ) from exc
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc


async def _uploaded_week(request: Request) -> tuple[dict[str, tuple[str, bytes]], str]:
    try:
        form = await read_week_form(request)
    except UploadTooLargeError as exc:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(exc)) from exc
    mode = form.mode
    errors: list[dict[str, Any]] = [
        {"type": "missing", "loc": ("body", key), "msg": "mangler", "input": None}
        for key in form.missing
    ]
    if mode not in ("optimal", "stable"):
        errors.append(
            {
                "type": "literal_error",
                "loc": ("body", "mode"),
                "msg": "ugyldig",
                "input": str(mode),
                "ctx": {"expected": "'optimal', 'stable'"},
            }
        )
    if errors:
        raise RequestValidationError(errors)
    return form.files, mode
