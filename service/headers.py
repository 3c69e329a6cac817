"""The protective headers on every answer.

Starlette answers an unhandled exception in its outermost middleware, outside any middleware
added to the app, so the 500 handler (service/api/errors.py) adds the same headers itself.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Scripts and styles only from our own files (no inline script, so injected markup cannot run),
# never inside a frame, and no address leaves the site in a Referer header.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """The protective headers on every answer: pages, files, API and errors alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = headers_added(message, SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, with_headers)


def secured(response: Response) -> Response:
    """The headers on a response sent where `SecurityHeaders` does not reach (the 500)."""
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name.decode(), value.decode())
    return response


def headers_added(start: Message, headers: list[tuple[bytes, bytes]]) -> Message:
    """A response-start message with those of `headers` it does not already name."""
    names = {name.lower() for name, _ in start.get("headers", [])}
    extra = [(n, v) for n, v in headers if n not in names]
    return {**start, "headers": [*start.get("headers", []), *extra]}
