"""Throwaway PostgreSQL for the tests: one private server a session, a fresh database a test.

A pytest plugin (registered in tests/conftest.py), so any test can ask for `postgres_url`.
The server is a cluster of its own in a temporary folder, on a free port on 127.0.0.1 only, with
trust authentication and durability off: it never touches Debian's "main" cluster or anybody's
data, needs no password, and starts in about a second. `make postgres` installs the server.

To use a server you already run instead, set TVAERS_TEST_POSTGRES_URL to a URL whose user may
CREATE DATABASE (PostgreSQL 13 or newer), e.g.
`postgresql+psycopg://postgres@127.0.0.1:5432/postgres`; each test still gets its own database.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

ENV_URL = "TVAERS_TEST_POSTGRES_URL"
DRIVER = "postgresql+psycopg"  # the driver of the `postgres` extra; plain postgresql means psycopg2
OS_USER = "postgres"  # PostgreSQL refuses to run as root; Debian's package makes this user


@dataclass(frozen=True)
class PostgresServer:
    """Where the test server listens; `admin_url` reaches a database to create others from."""

    host: str
    port: int
    admin_url: URL

    def url(self, database: str) -> str:
        """A SQLAlchemy URL for `database` on this server, password included."""
        return self.admin_url.set(database=database).render_as_string(hide_password=False)


def _pg_bin_dir() -> Path | None:
    """The newest Debian PostgreSQL's bin folder, else the one of `initdb` on PATH."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    found = [d for d in found if (d / "pg_ctl").exists()]
    if found:
        return max(found, key=lambda d: _version_key(d.parent.name))
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).parent / "pg_ctl").exists():
        return Path(initdb).parent
    return None


def _version_key(name: str) -> tuple[int, ...]:
    """'15' < '16', '9.6' < '10': folder names compared as numbers, not text."""
    return tuple(int(part) if part.isdigit() else -1 for part in name.split("."))


def _free_port() -> int:
    """A port nobody listens on now (the kernel picks it; the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Runs a PostgreSQL tool, as the postgres user when we are root (the server insists)."""
    command = ["runuser", "-u", OS_USER, "--", *args] if os.geteuid() == 0 else args
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def _start_cluster(bin_dir: Path, folder: Path) -> int:
    """initdb + pg_ctl start in `folder`; returns the port. Raises with the server's log."""
    data = folder / "data"
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    initdb += ["--no-sync", "-E", "UTF8"]
    try:
        _run([*initdb, "--locale=C.UTF-8"], cwd=folder)
    except RuntimeError:  # a system without the C.UTF-8 locale
        shutil.rmtree(data, ignore_errors=True)
        _run([*initdb, "--locale=C"], cwd=folder)
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    log = folder / "log"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w"]
    try:
        _run([*pg_ctl, "start"], cwd=folder)
    except RuntimeError as error:
        text = log.read_text(errors="replace") if log.exists() else "(no log)"
        raise RuntimeError(f"{error}\nserver log {log}:\n{text}") from error
    return port


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session: TVAERS_TEST_POSTGRES_URL's, else a throwaway one."""
    given = os.environ.get(ENV_URL)
    if given:
        url = make_url(given)
        if url.drivername == "postgresql":
            url = url.set(drivername=DRIVER)
        yield PostgresServer(url.host or "127.0.0.1", url.port or 5432, url)
        return
    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL is not installed: run `make postgres` (Debian's postgresql package) to run "
            f"the PostgreSQL tests, or set {ENV_URL} to a server they may use"
        )
    root = os.geteuid() == 0
    if root:
        try:
            owner = pwd.getpwnam(OS_USER)
        except KeyError:
            raise RuntimeError(f"as root, PostgreSQL needs a '{OS_USER}' user to run") from None
    folder = Path(tempfile.mkdtemp(prefix="tvaers-pg-"))
    try:
        if root:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        port = _start_cluster(bin_dir, folder)
        admin = URL.create(DRIVER, "postgres", host="127.0.0.1", port=port, database="postgres")
        try:
            yield PostgresServer("127.0.0.1", port, admin)
        finally:
            stop = [str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop"]
            _run(stop, cwd=folder, check=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A SQLAlchemy URL of a new, empty database, dropped after the test: no state leaks."""
    name = f"tvaers_test_{uuid.uuid4().hex[:16]}"
    url = postgres_server.admin_url
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield postgres_server.url(name)
        with admin.connect() as conn:  # FORCE: connections a test left open must not keep it
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
