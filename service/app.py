"""The HTTP service: the JSON API under /api, the Danish web page at /, OpenAPI at /docs.

`create_app` opens the index from the home folder at once: the newest snapshot caught up with the
database's log, or a new one built from the database after a crash. It refuses to start only when
nothing was ever indexed (IndexNotFoundError) or the model differs (ModelMismatchError).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic.json_schema import models_json_schema
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from indexer.embedders import Embedder
from service.api import api_router
from service.api.errors import install_error_handlers
from service.api.schemas.pairing import PairingRequest
from service.api.state import ServiceState
from service.auth.local import LocalSignIn
from service.auth.local import router as local_sign_in_router
from service.auth.routes import install_auth_routes
from service.auth.session import install_sessions
from service.auth.state import AuthState
from service.config import Settings, make_embedder
from service.edit_pages import router as edit_router
from service.gaps_web import router as gaps_page_router
from service.headers import SecurityHeaders
from service.json_depth import JsonDepthLimit, send_json
from service.logs import RequestId
from service.mail.pages import router as mail_pages_router
from service.metrics import Metrics
from service.metrics import router as metrics_router
from service.season.answer_pages import router as answer_pages_router
from service.season.evaluation_pages import router as evaluation_pages_router
from service.season.pages import router as season_pages_router
from service.season.registration_pages import router as registration_pages_router
from service.synonyms_web import api as synonyms_api
from service.synonyms_web import pages as synonyms_pages
from service.web import install_web

STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY_BYTES = 16 * 1024 * 1024  # three 5 MB uploads and the form around them
TOO_LARGE = '{"detail":"Forespørgslen er for stor (højst 16 MB; højst 5 MB pr. fil)."}'.encode()


def create_app(
    settings: Settings, embedder: Embedder | None = None, local_sign_in: LocalSignIn | None = None
) -> FastAPI:
    """Build the app; `embedder` defaults to the one the settings name (tests pass a fake);
    `local_sign_in` is the one-time link `tvaers serve` offers on loopback."""
    settings.check_auth()
    settings.check_mail()
    if embedder is None:
        embedder = make_embedder(settings)
    state = ServiceState(settings, embedder)
    try:
        auth = AuthState(settings, state.store.engine, local_sign_in)
    except BaseException:
        state.close()
        raise

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.follow()  # while serving: other writers' changes, compaction, warm caches
        yield
        state.close()

    app = FastAPI(
        title="tvaers",
        summary="Find kolleger, enheder og prøvehandlinger på tværs — og par praktikanter.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: no CDN on these machines
        redoc_url=None,
    )
    app.state.tvaers = state
    app.state.auth = auth
    install_error_handlers(app)
    app.include_router(api_router)
    install_auth_routes(app)
    app.include_router(local_sign_in_router)
    install_web(app)
    app.include_router(gaps_page_router)
    app.include_router(edit_router)
    app.include_router(season_pages_router)
    app.include_router(registration_pages_router)
    app.include_router(mail_pages_router)
    app.include_router(answer_pages_router)
    app.include_router(evaluation_pages_router)
    app.include_router(synonyms_api)
    app.include_router(synonyms_pages)
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_api_route("/docs", _swagger_ui, include_in_schema=False)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(JsonDepthLimit)  # innermost: the body is read once the user is known
    install_sessions(app, auth)  # inside the body limit: a huge body never reaches a session
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeaders)
    observers = []
    if settings.metrics:
        metrics = Metrics(state)
        app.state.metrics = metrics
        state.on_search = metrics.observe_search
        app.include_router(metrics_router)
        observers.append(metrics.observe_request)
    # Outermost: every log line of a request carries its id; metrics get the whole answer's time.
    app.add_middleware(RequestId, observers=observers)
    return app


def app_from_environment() -> FastAPI:
    """The app of one `tvaers serve --workers N` process: settings from the environment."""
    return create_app(Settings())


DOCS_PAGE = """<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<title>tvaers API</title>
<link rel="icon" href="/static/favicon.svg">
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<script src="/static/swagger/swagger-ui-bundle.js" defer></script>
<script src="/static/docs.js" defer></script>
</head>
<body><div id="swagger-ui"></div></body>
</html>
"""


def _swagger_ui() -> HTMLResponse:
    """FastAPI's own page starts Swagger UI with an inline script, which the CSP refuses."""
    return HTMLResponse(DOCS_PAGE)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the JSON week, which POST /api/pairings reads by hand."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        _, extra = models_json_schema(
            [(PairingRequest, "validation")], ref_template="#/components/schemas/{model}"
        )
        schema.setdefault("components", {}).setdefault("schemas", {}).update(extra["$defs"])
        app.openapi_schema = schema
    return app.openapi_schema


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Answer 413 to request bodies over the limit, announced or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit:
            await _send_too_large(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_too_large(send)


async def _send_too_large(send: Send) -> None:
    await send_json(send, 413, TOO_LARGE)
