"""`tvaers serve --workers 2` on one home, with the real model: a write through the port is in
every worker's search within a second, whichever worker answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest_service import write_data_folder

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def tvaers(home: Path, *args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "tvaers"), "--home", str(home), *args]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    home = tmp_path / "home"
    env = {**os.environ, "TVAERS_FOLLOW_INTERVAL": "0.2"}
    env.pop("TVAERS_API_KEY", None)
    data = write_data_folder(tmp_path / "data")
    subprocess.run(tvaers(home, "index", str(data)), check=True, env=env, cwd=ROOT, timeout=300)
    made = subprocess.run(
        tvaers(home, "keys", "create", "workers-test", "--role", "admin"),
        check=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        capture_output=True,
        text=True,
    )
    secret = made.stdout.strip().splitlines()[-1].strip()
    port = free_port()
    server = subprocess.Popen(
        tvaers(home, "serve", "--port", str(port), "--workers", "2"),
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.3)
        yield url, {"Authorization": f"Bearer {secret}"}
    finally:
        os.killpg(server.pid, 15)
        server.wait(30)


def test_workers_on_one_home_agree_within_a_second(served: tuple[str, dict[str, str]]) -> None:
    url, auth = served
    with httpx.Client(base_url=url, timeout=30) as client:
        body = {"id": "p9", "name": "Ida Ølgaard", "title": "Konsulent", "unit_id": "u001"}
        body |= {"expertise": ["zebraavl på landet"], "email": ""}
        assert client.post("/api/people", json=body, headers=auth).status_code == 201
        written = time.monotonic()
        time.sleep(1.0)
        # New connections spread over both workers; every answer must show the write.
        for _ in range(20):
            with httpx.Client(base_url=url, timeout=30) as fresh:
                hits = fresh.get("/api/search", params={"q": "zebraavl"}).json()["hits"]
                assert hits and hits[0]["id"] == "p9"
        assert time.monotonic() - written >= 1.0
