"""A request id on every answer and log line; JSON logs for a log collector when asked for.

Every request gets an id: the proxy's `X-Request-ID` when it sent a sane one (so nginx's
`$request_id` ties both logs together), else a new one. It is sent back in `X-Request-ID` and
is on every log line written while the request runs (threads included: contextvars follow
`run_in_threadpool`). With `TVAERS_LOG_FORMAT=json`, `tvaers serve` writes one JSON object a
line (python-json-logger), uvicorn's own lines too, and one line per request: method, route,
status, milliseconds. The query string is never logged: searches may hold names.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.headers import headers_added

REQUEST_ID = b"x-request-id"  # asked of the proxy and sent back, as X-Request-ID
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tvaers_request_id", default=None
)
access_log = logging.getLogger("tvaers.access")


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Puts the running request's id on each record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


# Told of each answered request: its scope (with the route), status and seconds (metrics).
Observer = Callable[[Scope, int, float], None]


class RequestId:
    """ASGI middleware, outermost: the id for everything inside, the access line, and the
    request's route, status and duration for `observers`."""

    def __init__(self, app: ASGIApp, observers: Sequence[Observer] = ()) -> None:
        self.app = app
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, REQUEST_ID)
        request_id = given if given and _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        reset = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = headers_added(message, [(REQUEST_ID, request_id.encode())])
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            for observe in self.observers:
                observe(scope, status, seconds)
            route = scope.get("route")
            access_log.info(
                "%s %s %d",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": getattr(route, "path", None),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            _request_id.reset(reset)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def json_log_config(level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` (uvicorn's `log_config`) writing JSON lines to stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "service.logs.RequestIdFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "loggers": {
            "tvaers": {"level": level},
            "uvicorn": {"level": "WARNING"},
            "uvicorn.access": {"level": "WARNING", "propagate": False},  # ours has the id
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
