"""A request id on every answer and, with TVAERS_LOG_FORMAT=json, JSON log lines that carry it
(issue 23, item 6)."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.logs import json_log_config

pytest_plugins = ("tests.conftest_service",)


def test_every_answer_has_a_request_id(client: TestClient) -> None:
    first = client.get("/health").headers["X-Request-ID"]
    second = client.get("/api/units/u001").headers["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert client.get("/nowhere").headers["X-Request-ID"]  # errors too


def test_a_sane_request_id_from_the_proxy_is_kept_and_others_replaced(client: TestClient) -> None:
    kept = client.get("/health", headers={"X-Request-ID": "nginx-4f2a.77"})
    assert kept.headers["X-Request-ID"] == "nginx-4f2a.77"
    for bad in ("x" * 129, "a b", '{"level": "ERROR"}'):
        replaced = client.get("/health", headers={"X-Request-ID": bad})
        assert replaced.headers["X-Request-ID"] != bad


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Logging configured as `tvaers serve` does with TVAERS_LOG_FORMAT=json, into a buffer;
    the process's logging is put back afterwards."""
    names = ("tvaers", "uvicorn", "uvicorn.access")
    saved: dict[str, Any] = {}
    for name in names:
        logger = logging.getLogger(name)  # dictConfig empties the handler lists in place
        saved[name] = (logger.handlers[:], logger.propagate, logger.disabled, logger.level)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    buffer = io.StringIO()
    config = json_log_config()
    config["handlers"]["stderr"]["stream"] = buffer
    logging.config.dictConfig(config)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, (kept, propagate, disabled, old_level) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = kept
            logger.propagate, logger.disabled = propagate, disabled
            logger.setLevel(old_level)


def test_json_logs_carry_the_request_id_and_no_query(
    client: TestClient, json_lines: io.StringIO
) -> None:
    answer = client.get(
        "/api/search", params={"q": "Anne Holm nattevagt"}, headers={"X-Request-ID": "req-21"}
    )
    assert answer.status_code == 200
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    (access,) = [r for r in lines if r.get("request_id") == "req-21"]
    assert access["logger"] == "tvaers.access" and access["level"] == "INFO"
    assert access["path"] == "/api/search" and access["status"] == 200
    assert access["route"] == "/api/search" and access["duration_ms"] >= 0
    assert "time" in access
    assert "Anne" not in json_lines.getvalue()  # the query string is never logged
