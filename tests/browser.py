"""Browser-test fixtures: Debian's Chromium through playwright against a uvicorn server here.

Browser test modules load this with `pytest_plugins = ("tests.conftest_service", "tests.browser")`
and mark themselves with `pytestmark = BROWSER_MARKS`. `serve(app)` runs any app (other settings,
sign-in) on a free port of 127.0.0.1. Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed (/usr/bin/chromium); `make browser` installs it",
    ),
]


@contextmanager
def serve(app: FastAPI | Callable[[str], FastAPI]) -> Iterator[str]:
    """Run `app` in uvicorn on a free 127.0.0.1 port until the block ends; yields its base URL.

    `app` may be a function of that URL (sign-in needs it as TVAERS_PUBLIC_URL)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if not isinstance(app, FastAPI):
        app = app(f"http://127.0.0.1:{port}")
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def server(indexed_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service on the small Danish data (fake embedder, no sign-in), stopped at the end."""
    from service.app import create_app
    from service.config import Settings
    from tests.fakes import FakeEmbedder

    home = tmp_path_factory.mktemp("browser") / "home"
    shutil.copytree(indexed_home, home)
    app: FastAPI = create_app(Settings(home=home, api_key=None), embedder=FakeEmbedder())
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def csp_violations() -> list[str]:
    """Console messages of refusals under the pages' Content-Security-Policy."""
    return []


@pytest.fixture
def page(browser: object, csp_violations: list[str]) -> Iterator[object]:
    """A page that fails its test if anything on it breaks the CSP (inline script, say)."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1200, "height": 900}, locale="da-DK", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on(
        "console",
        lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        yield page
        assert csp_violations == [], "the page broke its own CSP"
    finally:
        context.close()


def shot(page: object, name: str, **kwargs: object) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), **kwargs)  # type: ignore[attr-defined]
    return path
