"""A real `tvaers serve` process with the default model: the port it prints answers, and its
pages link their own files by relative URL, so they work behind a TLS proxy too."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
TVAERS = str(Path(sys.executable).parent / "tvaers")
MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("served") / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVAERS_")}
    subprocess.run(
        [TVAERS, "--home", str(home), "index", str(MINI)], check=True, env=env, timeout=300
    )
    server = subprocess.Popen(
        [TVAERS, "--home", str(home), "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()  # printed once the app is built and the port listens
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert found, first
        yield f"http://127.0.0.1:{found.group(1)}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def test_the_printed_address_answers(served: str) -> None:
    assert httpx.get(f"{served}/health", timeout=60).status_code == 200


def test_make_run_checks_the_port_before_indexing(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        args = ["serve", "--port", str(port), "--check-port"]
        taken = subprocess.run([TVAERS, "--home", str(tmp_path), *args], capture_output=True)
    assert taken.returncode == 1 and f"Port {port}".encode() in taken.stderr
    free = subprocess.run([TVAERS, "--home", str(tmp_path), *args], capture_output=True)
    assert free.returncode == 0 and free.stdout == b""
