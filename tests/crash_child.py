"""A child process for crash tests: runs a tvaers job and SIGKILLs itself at a named point.

    python -m tests.crash_child POINT HITS HOME index FOLDER
    python -m tests.crash_child POINT HITS HOME reindex
    python -m tests.crash_child POINT HITS HOME writes COUNT

POINT is an `indexer.faults` point (or "never"); the process kills itself the HITS-th time it
gets there. `writes` runs a stream of API writes through the real app and prints one line per
acknowledged write ("ack <json>"), flushed before the next begins: the parent knows exactly what
was promised when the kill came.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient

import service.cli
from indexer import faults
from tests.conftest_service import create_key, make_app
from tests.fakes import FakeEmbedder


def _kill_at(point: str, hits: int) -> None:
    seen = 0

    def hook(reached: str) -> None:
        nonlocal seen
        if reached == point:
            seen += 1
            if seen >= hits:
                os.kill(os.getpid(), signal.SIGKILL)

    faults.install(hook)


def _writes(home: Path, count: int) -> None:
    """Creates, renames and deletes people, and renames a unit (its people follow)."""
    auth = create_key(home, f"crash-child-{uuid.uuid4().hex[:8]}")
    with TestClient(make_app(home)) as client:
        for i in range(count):
            step = i % 4
            if step == 0:
                body = {
                    "id": f"px{i}",
                    "name": f"Kamma Nyborg{i}",
                    "title": "Konsulent",
                    "unit_id": "u001",
                    "expertise": [f"kildeskat{i}"],
                    "email": "",
                }
                response = client.post("/api/people", json=body, headers=auth)
                ack = {"op": "create", "id": f"px{i}", "word": f"kildeskat{i}"}
            elif step == 1:
                word = f"momsregler{i}"
                response = client.put(
                    f"/api/people/px{i - 1}", json={"expertise": [word]}, headers=auth
                )
                ack = {"op": "update", "id": f"px{i - 1}", "word": word}
            elif step == 2:
                response = client.put(
                    "/api/units/u001", json={"name": f"Natholdet{i}"}, headers=auth
                )
                ack = {"op": "unit", "id": "u001", "word": f"natholdet{i}"}
            else:
                response = client.delete(f"/api/people/px{i - 3}", headers=auth)
                ack = {"op": "delete", "id": f"px{i - 3}", "word": f"momsregler{i - 2}"}
            assert response.status_code in (200, 201), response.text
            print("ack", json.dumps(ack), flush=True)
        time.sleep(5)  # the service's maintenance writes its snapshots meanwhile


def main(argv: list[str]) -> None:
    point, hits, home, command, *rest = argv
    _kill_at(point, int(hits))
    if command == "writes":
        _writes(Path(home), int(rest[0]))
        return
    service.cli.make_embedder = lambda settings: FakeEmbedder()  # type: ignore[assignment]
    service.cli.main(["--home", home, command, *rest], standalone_mode=True)


if __name__ == "__main__":
    main(sys.argv[1:])
