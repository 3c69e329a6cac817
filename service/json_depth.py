"""JSON bodies nested deeper than MAX_JSON_DEPTH answer 422 before anything parses them (Python's
parser would recurse until RecursionError, a 500)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_DEPTH = 64  # a pairing week is 4 deep; records 3
TOO_DEEP = json.dumps(
    {
        "detail": f"JSON-indholdet er indlejret for dybt (højst {MAX_JSON_DEPTH} niveauer). "
        "Send en flad struktur som i API-dokumentationen (/docs)."
    },
    ensure_ascii=False,
).encode()


def json_depth(body: bytes) -> int:
    """The deepest nesting of [ and { outside strings (no parsing, linear in the body)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # "
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


class JsonDepthLimit:
    def __init__(self, app: ASGIApp, limit: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body"))
        body = b"".join(chunks)
        if json_depth(body) > self.limit:
            await send_json(send, 422, TOO_DEEP)
            return
        replay = _replay([{"type": "http.request", "body": body}], receive)
        await self.app(scope, replay, send)


async def send_json(send: Send, status: int, body: bytes) -> None:
    """A whole JSON answer, sent before the app sees the request (a refusal at the door)."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _is_json(scope: Scope) -> bool:
    if scope["method"] in ("GET", "HEAD", "OPTIONS"):
        return False
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind = bytes(value).split(b";")[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return False


def _replay(messages: list[Message], then: Receive) -> Receive:
    """The messages already read, then the real channel (a later disconnect, say)."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return await then()

    return receive
