"""Bad week files are refused with a DataError naming file, line and column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine.pairing import load_week
from indexer.errors import DataError, Problem

HOST_HEADER = ["id", "organisation", "unit_name", "sector", "offer", "capacity", "durations"]
INTERN_HEADER = ["id", "name", "organisation", "sector", "wish", "duration", "wished_hosts",
                 "excluded_hosts"]  # fmt: skip
GOOD_HOSTS = [
    ["h1", "Faxe Kommune", "Hjemmeplejen", "kommune", "Nattevagter og skærmbesøg", "2", "1;2"],
    ["h2", "Region Sjælland", "Akutmodtagelsen", "region", "Triage og patientflow", "1", "2;3"],
]
GOOD_INTERNS = [
    ["i1", "Ane", "Køge Kommune", "kommune", "Skærmbesøg om natten", "2", "h1;h2", ""],
    ["i2", "Bo", "Finansministeriet", "stat", "Patientflow i akutmodtagelsen", "3", "", "h1"],
]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def _refused(hosts_path: Path, interns_path: Path, locks_path: Path | None = None) -> list[Problem]:
    """Load the week, which must be refused; return the problems reported."""
    with pytest.raises(DataError) as caught:
        load_week(hosts_path, interns_path, locks_path)
    return caught.value.problems


def _places(problems: list[Problem]) -> list[tuple[str, int | None, str | None]]:
    return [(p.file, p.line, p.column) for p in problems]


def _problems(
    tmp_path: Path,
    hosts: list[list[str]] = GOOD_HOSTS,
    interns: list[list[str]] = GOOD_INTERNS,
    locks: list[list[str]] | None = None,
) -> list[Problem]:
    hosts_path = _write(tmp_path / "hosts.csv", HOST_HEADER, hosts)
    interns_path = _write(tmp_path / "interns.csv", INTERN_HEADER, interns)
    locks_path = (
        None if locks is None else _write(tmp_path / "locks.csv", ["intern_id", "host_id"], locks)
    )
    return _refused(hosts_path, interns_path, locks_path)


def _with(rows: list[list[str]], index: int, column: int, value: str) -> list[list[str]]:
    changed = [list(r) for r in rows]
    changed[index][column] = value
    return changed


def test_good_files_load(tmp_path: Path) -> None:
    week = load_week(
        _write(tmp_path / "hosts.csv", HOST_HEADER, GOOD_HOSTS),
        _write(tmp_path / "interns.csv", INTERN_HEADER, GOOD_INTERNS),
        _write(tmp_path / "locks.csv", ["intern_id", "host_id"], [["i1", "h1"]]),
    )
    assert [h.capacity for h in week.hosts] == [2, 1]
    assert week.hosts[0].durations == frozenset({1, 2})
    assert week.interns[0].wished_hosts == ("h1", "h2")
    assert week.interns[1].excluded_hosts == frozenset({"h1"})
    assert week.locks[0].file == "locks.csv" and week.locks[0].line == 2


@pytest.mark.parametrize("capacity", ["0", "4", "-1", "to", "1.5", ""])
def test_capacity_outside_one_to_three(tmp_path: Path, capacity: str) -> None:
    problems = _problems(tmp_path, hosts=_with(GOOD_HOSTS, 1, 5, capacity))
    assert _places(problems) == [("hosts.csv", 3, "capacity")]


@pytest.mark.parametrize("duration", ["0", "-2", "tre", "2.5", ""])
def test_intern_duration_not_a_positive_number_of_days(tmp_path: Path, duration: str) -> None:
    problems = _problems(tmp_path, interns=_with(GOOD_INTERNS, 0, 5, duration))
    assert _places(problems) == [("interns.csv", 2, "duration")]
    assert "positivt" in problems[0].message


@pytest.mark.parametrize("durations", ["0;1", "1;x", "", "-1"])
def test_host_durations_not_positive_days(tmp_path: Path, durations: str) -> None:
    problems = _problems(tmp_path, hosts=_with(GOOD_HOSTS, 0, 6, durations))
    assert _places(problems) == [("hosts.csv", 2, "durations")]


@pytest.mark.parametrize(("column", "index"), [("wished_hosts", 6), ("excluded_hosts", 7)])
def test_unknown_host_in_wishes_or_exclusions(tmp_path: Path, column: str, index: int) -> None:
    problems = _problems(tmp_path, interns=_with(GOOD_INTERNS, 1, index, "h2;h99"))
    assert _places(problems) == [("interns.csv", 3, column)]
    assert "'h99'" in problems[0].message


def test_unknown_ids_in_locks(tmp_path: Path) -> None:
    problems = _problems(tmp_path, locks=[["i1", "h1"], ["i1x", "h1"], ["i2", "h9"]])
    assert _places(problems) == [
        ("locks.csv", 3, "intern_id"),
        ("locks.csv", 4, "host_id"),
    ]


def test_duplicate_ids(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        hosts=[*GOOD_HOSTS, GOOD_HOSTS[0]],
        interns=[*GOOD_INTERNS, GOOD_INTERNS[1]],
        locks=[["i1", "h1"], ["i1", "h2"]],
    )
    assert _places(problems) == [
        ("hosts.csv", 4, "id"),
        ("interns.csv", 4, "id"),
        ("locks.csv", 3, "intern_id"),
    ]
    assert "linje 2" in problems[0].message


def test_missing_column_and_unknown_sector(tmp_path: Path) -> None:
    problems = _problems(tmp_path, hosts=_with(GOOD_HOSTS, 0, 3, "kommunen"))
    assert _places(problems) == [("hosts.csv", 2, "sector")]
    hosts_path = _write(tmp_path / "h.csv", HOST_HEADER[:-1], [r[:-1] for r in GOOD_HOSTS])
    interns_path = _write(tmp_path / "i.csv", INTERN_HEADER, GOOD_INTERNS)
    assert _places(_refused(hosts_path, interns_path)) == [("h.csv", 1, "durations")]


def test_excel_files_are_read_too(tmp_path: Path) -> None:
    import pandas as pd

    hosts_path = tmp_path / "hosts.xlsx"
    pd.DataFrame(GOOD_HOSTS, columns=HOST_HEADER).assign(capacity=[2, 5]).to_excel(
        hosts_path, index=False
    )
    interns_path = _write(tmp_path / "interns.csv", INTERN_HEADER, GOOD_INTERNS)
    assert _places(_refused(hosts_path, interns_path)) == [("hosts.xlsx", 3, "capacity")]


def test_message_is_plain_danish_with_place(tmp_path: Path) -> None:
    problems = _problems(tmp_path, hosts=_with(GOOD_HOSTS, 0, 5, "4"))
    assert str(problems[0]) == (
        "hosts.csv, linje 2, kolonne 'capacity': kapaciteten skal være 1–3 praktikanter, ikke 4"
    )
