"""Errors at the HTTP edge: domain errors and validation errors become plain Danish answers.

Nothing here ever shows a stack trace; an unexpected error is logged and answered with a short
Danish 500 message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer.errors import (
    AlreadyExistsError,
    DataError,
    IndexNotFoundError,
    ModelMismatchError,
    NotFoundError,
    Problem,
    TvaersError,
    VersionConflictError,
)
from indexer.records import Record
from indexer.store import version_of
from service.headers import secured

log = logging.getLogger("tvaers.service")
SERVER_ERROR_MESSAGE = "Der skete en uventet fejl på serveren. Prøv igen, eller kontakt driften."
_MESSAGES = {
    "missing": "skal udfyldes",
    "string_too_short": "skal udfyldes",
    "string_too_long": "må højst være {max_length} tegn",
    "too_long": "må højst have {max_length} elementer",
    "too_short": "skal have mindst {min_length} elementer",
    "less_than_equal": "må højst være {le}",
    "greater_than_equal": "skal være mindst {ge}",
    "int_parsing": "skal være et helt tal",
    "int_type": "skal være et helt tal",
    "bool_parsing": "skal være true eller false",
    "literal_error": "skal være en af: {expected}",
    "enum": "skal være en af: {expected}",
    "string_pattern_mismatch": "har et ugyldigt format",
    "string_type": "skal være tekst",
    "list_type": "skal være en liste",
    "dict_type": "skal være et objekt",
    "model_attributes_type": "skal være et objekt",
    "model_type": "skal være et objekt",
    "json_invalid": "er ikke gyldig JSON",
    "extra_forbidden": "er ikke et kendt felt",
}


class ConflictError(Exception):
    """The request clashes with what is stored (an id already used, a unit still in use)."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "forespørgslen"


def danish_error(error: dict[str, Any]) -> dict[str, str]:
    template = _MESSAGES.get(error.get("type", ""))
    context = error.get("ctx") or {}
    try:
        message = template.format(**context) if template else str(error.get("msg", "er ugyldig"))
    except (KeyError, IndexError):
        message = str(error.get("msg", "er ugyldig"))
    if error.get("type") == "value_error":
        message = str(context.get("error", error.get("msg", "er ugyldig")))
    return {"field": field_name(error.get("loc", ())), "message": message}


def problems_json(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [
        {"file": p.file, "line": p.line, "column": p.column, "message": p.message, "text": str(p)}
        for p in problems
    ]


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(TvaersError, _domain_error)
    app.add_exception_handler(ConflictError, _conflict)
    app.add_exception_handler(Exception, _unexpected)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [danish_error(e) for e in exc.errors()]
    shown = "; ".join(f"'{e['field']}' {e['message']}" for e in errors[:5])
    return JSONResponse(
        {"detail": f"Ugyldige data: {shown}.", "errors": errors},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def _wants_page(request: Request) -> bool:
    """People on the web page get a page; API clients get JSON."""
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def _page_or_json(request: Request, code: int, detail: str) -> Response | None:
    render = getattr(request.app.state, "render_error", None)
    if render is not None and _wants_page(request):
        page: Response = render(request, code, detail)
        return page
    return None


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail)
    if exc.status_code == status.HTTP_404_NOT_FOUND and detail == "Not Found":
        detail = "Siden findes ikke."
    elif exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        detail = "Metoden er ikke tilladt her."
    elif exc.status_code == status.HTTP_400_BAD_REQUEST and detail.isascii():
        detail = f"Forespørgslen kunne ikke læses ({detail})."
    return _page_or_json(request, exc.status_code, detail) or JSONResponse(
        {"detail": detail}, status_code=exc.status_code, headers=exc.headers
    )


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DataError):
        return JSONResponse(
            {"detail": str(exc), "problems": problems_json(exc.problems)},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    if isinstance(exc, VersionConflictError):
        return JSONResponse(conflict_body(exc), status_code=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotFoundError):
        code = status.HTTP_404_NOT_FOUND
    elif isinstance(exc, AlreadyExistsError):
        code = status.HTTP_409_CONFLICT
    elif isinstance(exc, IndexNotFoundError | ModelMismatchError):
        code = status.HTTP_503_SERVICE_UNAVAILABLE
    else:
        code = status.HTTP_400_BAD_REQUEST
    return JSONResponse({"detail": str(exc)}, status_code=code)


def conflict_body(exc: VersionConflictError) -> dict[str, Any]:
    """Both versions: the one the client's change was based on (and the change, when known),
    and the one stored now (None: deleted meanwhile)."""
    current = exc.current if isinstance(exc.current, Record) else None
    attempted = exc.attempted
    return {
        "detail": str(exc),
        "kind": exc.kind,
        "id": exc.record_id,
        "your_version": exc.expected,
        "your_fields": attempted.fields if isinstance(attempted, Record) else None,
        "stored_version": version_of(current) if current else None,
        "stored_fields": current.fields if current else None,
    }


async def _conflict(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ConflictError)
    body: dict[str, Any] = {"detail": str(exc)}
    if exc.problems:
        body["problems"] = problems_json(exc.problems)
    return JSONResponse(body, status_code=status.HTTP_409_CONFLICT)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("Uventet fejl ved %s %s", request.method, request.url.path, exc_info=exc)
    return secured(
        _page_or_json(request, 500, SERVER_ERROR_MESSAGE)
        or JSONResponse(
            {"detail": SERVER_ERROR_MESSAGE}, status_code=status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    )
