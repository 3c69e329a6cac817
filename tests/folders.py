"""A small Danish data folder written from rows, for tests that build and change an index."""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Sequence
from pathlib import Path

from indexer.build import Home
from indexer.index import SearchIndex
from indexer.records import REQUIRED_COLUMNS, Kind
from indexer.snapshots import load_newest

ROWS: dict[Kind, list[tuple[str, ...]]] = {
    "unit": [
        ("u1", "Hjemmeplejen Haslev", "Faxe Kommune", "kommune", "Ældre og sundhed",
         "Pleje i eget hjem og skærmbesøg om natten.", "ældrepleje;skærmbesøg",
         "Mette Sørensen", "mette@faxe.dk"),
        ("u2", "Borgerservice Faxe", "Faxe Kommune", "kommune", "Borgerservice",
         "Pas, kørekort og hjælp til MitID og Digital Post.", "MitID;Digital Post",
         "Jens Kjær", "jens@faxe.dk"),
        ("u3", "Data og Analyse", "Region Sjælland", "region", "Digitalisering",
         "Dashboards i Power BI om ventetider på sygehusene.", "Power BI",
         "Åse Læssøe", "aase@regionsjaelland.dk"),
    ],
    "person": [
        ("p1", "Søren Østergaard", "Sygeplejerske", "u1", "Skærmbesøg;natlige tilsyn",
         "soeren@faxe.dk"),
        ("p2", "Birgitte Holm", "Social- og sundhedsassistent", "u1", "Demens og pårørende",
         "birgitte@faxe.dk"),
        ("p3", "Jens Kjær", "Borgerservicemedarbejder", "u2", "MitID-hjælp til ældre",
         "jens@faxe.dk"),
    ],
    "trial": [
        ("t1", "Skærmbesøg om natten", "u1", "Nattevagter ser til borgeren via skærm.",
         "afsluttet", "2022", "Borgerne sover bedre."),
        ("t2", "Ventetider i Power BI", "u3", "Et fælles dashboard.", "igangværende", "2024",
         ""),
    ],
}  # fmt: skip
FILES: dict[Kind, str] = {"unit": "units.csv", "person": "people.csv", "trial": "trials.csv"}


def write_data_folder(folder: Path, rows: dict[Kind, list[tuple[str, ...]]] = ROWS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, file_name in FILES.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REQUIRED_COLUMNS[kind])
        writer.writerows(rows[kind])
        (folder / file_name).write_text(out.getvalue(), encoding="utf-8")
    return folder


def snapshot_of(home: Home) -> SearchIndex:
    """The home's current snapshot, as a process opening the index finds it."""
    index = load_newest(home.index_dir)
    assert index is not None, f"no snapshot in {home.index_dir}"
    return index


def traces(home: Path, needles: Sequence[bytes]) -> list[str]:
    """Every file under a home folder (database, its journal, snapshots) holding a needle.

    A running service renames and removes files meanwhile (`.CURRENT.*` becomes `CURRENT`, old
    snapshots go). A walk that found a file gone before it was read may have missed its new
    name, so it is walked again: only a walk that read every file it listed answers.
    """
    assert home.is_dir(), f"no folder {home}: nothing to look in"
    for _ in range(20):
        found, complete = _walk(home, needles)
        if complete:
            return found
        time.sleep(0.05)
    raise AssertionError(f"files under {home} kept vanishing while they were read")


def _walk(home: Path, needles: Sequence[bytes]) -> tuple[list[str], bool]:
    found = []
    complete = True

    def gone(error: OSError) -> None:  # a folder removed before it was listed
        nonlocal complete
        complete = False

    for folder, _, names in os.walk(home, onerror=gone):
        for name in names:
            path = Path(folder) / name
            try:
                data = path.read_bytes().lower()
            except FileNotFoundError:
                complete = False
                continue
            found += [f"{path.relative_to(home)}: {n.decode()}" for n in needles if n in data]
    return sorted(found), complete


def assert_no_traces_soon(home: Path, needles: Sequence[bytes], seconds: float = 15.0) -> None:
    """An erasure reaches the snapshot on disk within the (test) erasure delay."""
    deadline = time.monotonic() + seconds
    while traces(home, needles) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = traces(home, needles)
    assert left == [], f"traces left: {left}"
