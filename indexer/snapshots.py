"""Snapshots of the index on local disk: written aside, then named current in one rename.

The index folder holds `snapshot-<revision>-<token>/` folders and a `CURRENT` file naming one of
them. A snapshot is complete once its meta.json exists (written last), and becomes current by an
atomic replace of `CURRENT`, under a file lock, only if it is newer than the current one: there
is never a moment without an index, and no process writes an older index over a newer one.
Everything else in the folder is a leftover of a crash (or of the format before snapshots) and is
removed by `clean`.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer import faults
from indexer.index import IndexMeta, SearchIndex

CURRENT = "CURRENT"
LOCK = ".lock"
PREFIX = "snapshot-"


def write_snapshot(index_dir: Path, index: SearchIndex) -> Path | None:
    """Save the index as a new snapshot and make it current, unless a newer one already is.

    Returns the snapshot's folder, or None when a snapshot at least as new was current.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    if _holds(index_dir, index):
        return None
    name = f"{PREFIX}{index.revision:012d}-{secrets.token_hex(4)}"
    staging = index_dir / f".{name}.{os.getpid()}.tmp"
    index.save(staging)
    faults.reach("snapshot:written")
    final = index_dir / name
    staging.rename(final)
    faults.reach("snapshot:before-swap")
    with _locked(index_dir, fcntl.LOCK_EX):
        if _holds(index_dir, index):
            shutil.rmtree(final, ignore_errors=True)
            return None
        _point_current_at(index_dir, name)
        faults.reach("snapshot:after-swap")
        _remove_all_but(index_dir, name)
    return final


def _holds(index_dir: Path, index: SearchIndex) -> bool:
    """Whether the current snapshot is at least as new as the index, and of its format (one of
    an older format is replaced at the same revision: no process can load it)."""
    name = current_name(index_dir)
    if not name or _revision_of(name) < index.revision:
        return False
    meta = current_meta(index_dir)
    return meta is None or meta.format_version == index.meta.format_version


def load_newest(index_dir: Path) -> SearchIndex | None:
    """The current snapshot, else the newest complete one (after a crash mid-swap), else None."""
    if not index_dir.is_dir():
        return None
    with _locked(index_dir, fcntl.LOCK_SH):
        complete = (p.name for p in index_dir.glob(f"{PREFIX}*") if p.is_dir())
        names = [current_name(index_dir), *sorted(complete, key=_revision_of, reverse=True)]
        for name in dict.fromkeys(n for n in names if n):
            try:
                return SearchIndex.load(index_dir / name)
            except Exception:
                continue
    return None


def clean(index_dir: Path) -> None:
    """Remove all but the current snapshot: staging folders, older snapshots, the old format."""
    if index_dir.is_dir():
        with _locked(index_dir, fcntl.LOCK_EX):
            _remove_all_but(index_dir, current_name(index_dir))
    for leftover in index_dir.parent.glob(f"{index_dir.name}.*-*"):  # index.tmp-*, index.old-*
        shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def shared_current(index_dir: Path) -> Iterator[Path | None]:
    """The current snapshot's folder, kept as it is (no swap, no clean-up) until the block
    ends; None when there is none. For copying it (`tvaers backup`)."""
    if not index_dir.is_dir():
        yield None
        return
    with _locked(index_dir, fcntl.LOCK_SH):
        name = current_name(index_dir)
        folder = index_dir / name
        yield folder if name and (folder / "meta.json").exists() else None


def install_snapshot(folder: Path, index_dir: Path, name: str) -> None:
    """Make a complete snapshot folder (a restored copy) the current one of a new index."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with _locked(index_dir, fcntl.LOCK_EX):
        folder.rename(index_dir / name)
        _point_current_at(index_dir, name)


def _point_current_at(index_dir: Path, name: str) -> None:
    """Swap the CURRENT pointer to `name` atomically and durably (the caller holds the lock)."""
    pointer = index_dir / f".{CURRENT}.{secrets.token_hex(4)}"
    pointer.write_text(name)
    with pointer.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / CURRENT)
    _sync(index_dir)


def current_meta(index_dir: Path) -> IndexMeta | None:
    """What the current snapshot shows, without loading it."""
    try:
        path = index_dir / current_name(index_dir) / "meta.json"
        return IndexMeta.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def current_name(index_dir: Path) -> str:
    try:
        return (index_dir / CURRENT).read_text().strip()
    except OSError:
        return ""


def _remove_all_but(index_dir: Path, keep: str) -> None:
    for path in index_dir.iterdir():
        if path.name in (keep, CURRENT, LOCK) or _being_written(path.name):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _being_written(name: str) -> bool:
    """A staging folder of another live process (workers share a home): not a leftover."""
    if not name.endswith(".tmp"):
        return False
    try:
        pid = int(name.removesuffix(".tmp").rsplit(".", 1)[-1])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _revision_of(name: str) -> int:
    try:
        return int(name.removeprefix(PREFIX).split("-")[0])
    except ValueError:
        return -1


@contextmanager
def _locked(index_dir: Path, mode: int) -> Iterator[None]:
    """A lock shared by the processes on one home (several workers, a CLI beside a server)."""
    with (index_dir / LOCK).open("a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sync(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
