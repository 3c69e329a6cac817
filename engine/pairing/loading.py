"""Read and validate the week's hosts, interns and locks into typed records.

Every problem is collected before anything is raised, so a coordinator fixes a file in one go
instead of meeting its errors one at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import DataError, Problem
from indexer.records import SECTORS
from indexer.tables import Row, Table, read_table

HOST_COLUMNS = ("id", "organisation", "unit_name", "sector", "offer", "capacity", "durations")
INTERN_COLUMNS = ("id", "name", "organisation", "sector", "wish", "duration")
LOCK_COLUMNS = ("intern_id", "host_id")
MIN_CAPACITY, MAX_CAPACITY = 1, 3


@dataclass(frozen=True)
class Host:
    """A workplace offering 1–3 places for visits of the listed lengths (in days)."""

    id: str
    organisation: str
    unit_name: str
    sector: str
    offer: str
    capacity: int
    durations: frozenset[int]
    contact_email: str = ""
    line: int | None = None
    metadata: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Intern:
    """A visiting employee: what they want to learn, for how long, and whom they wish or refuse."""

    id: str
    name: str
    organisation: str
    sector: str
    wish: str
    duration: int
    wished_hosts: tuple[str, ...] = ()
    excluded_hosts: frozenset[str] = frozenset()
    line: int | None = None
    metadata: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Lock:
    """A pair the coordinator fixed by hand; `file` and `line` say where, for error messages."""

    intern_id: str
    host_id: str
    file: str = "låse"
    line: int | None = None


@dataclass(frozen=True)
class Week:
    hosts: list[Host]
    interns: list[Intern]
    locks: list[Lock]


def load_week(hosts_path: Path, interns_path: Path, locks_path: Path | None = None) -> Week:
    """Read all files of one week and check them, including ids that point across files."""
    problems: list[Problem] = []
    tables: dict[str, Table] = {}
    paths = {"hosts": hosts_path, "interns": interns_path}
    if locks_path is not None:
        paths["locks"] = locks_path
    for key, path in paths.items():
        try:
            tables[key] = read_table(path)
        except FileNotFoundError:
            problems.append(Problem(path.name, f"filen findes ikke: {path}"))
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return week_from_tables(tables["hosts"], tables["interns"], tables.get("locks"))


def week_from_tables(hosts: Table, interns: Table, locks: Table | None = None) -> Week:
    problems: list[Problem] = []
    host_list = _hosts(hosts, problems)
    # Ids of rows with other errors still count as known: one mistake, one message.
    host_ids = _ids(hosts, "id")
    intern_list = _interns(interns, host_ids, problems)
    intern_ids = _ids(interns, "id")
    lock_list = _locks(locks, intern_ids, host_ids, problems) if locks is not None else []
    if problems:
        raise DataError(problems)
    return Week(host_list, intern_list, lock_list)


def organisation_key(name: str) -> str:
    """Organisation names compared the way people type them: case and spacing ignored."""
    return " ".join(name.lower().split())


def same_organisation(a: str, b: str) -> bool:
    return organisation_key(a) == organisation_key(b)


def _ids(table: Table, column: str) -> set[str]:
    return {row.values[column] for row in table.rows if row.values.get(column)}


def _rows_with_unique_ids(
    table: Table, id_column: str, required: Sequence[str], problems: list[Problem]
) -> Iterable[Row]:
    """Rows whose id is new; empty required fields and duplicate ids are reported."""
    seen: dict[str, int] = {}
    for row in table.rows:
        for column in required:
            if not row.values.get(column):
                problems.append(Problem(table.name, "feltet er tomt", row.line, column))
        row_id = row.values.get(id_column, "")
        if row_id in seen:
            problems.append(
                Problem(
                    table.name,
                    f"id '{row_id}' findes allerede på linje {seen[row_id]}",
                    row.line,
                    id_column,
                )
            )
            continue
        if row_id:
            seen[row_id] = row.line
            yield row


def _hosts(table: Table, problems: list[Problem]) -> list[Host]:
    missing = table.missing_columns(HOST_COLUMNS)
    if missing:
        problems.extend(missing)
        return []
    hosts = []
    for row in _rows_with_unique_ids(table, "id", ("id", "organisation", "offer"), problems):
        v = row.values
        sector = _sector(table.name, row, problems)
        capacity = _whole_days(table.name, row, "capacity", problems, noun="antal pladser")
        if capacity is not None and not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
            problems.append(
                Problem(
                    table.name,
                    f"kapaciteten skal være {MIN_CAPACITY}–{MAX_CAPACITY} praktikanter, "
                    f"ikke {capacity}",
                    row.line,
                    "capacity",
                )
            )
            capacity = None
        durations = _durations(table.name, row, problems)
        if capacity is None or durations is None:
            continue
        hosts.append(
            Host(
                id=v["id"],
                organisation=v["organisation"],
                unit_name=v["unit_name"],
                sector=sector,
                offer=v["offer"],
                capacity=capacity,
                durations=durations,
                contact_email=v.get("contact_email", ""),
                line=row.line,
                metadata=_extra(v, (*HOST_COLUMNS, "contact_email")),
            )
        )
    return hosts


def _interns(table: Table, host_ids: set[str], problems: list[Problem]) -> list[Intern]:
    missing = table.missing_columns(INTERN_COLUMNS)
    if missing:
        problems.extend(missing)
        return []
    interns = []
    for row in _rows_with_unique_ids(table, "id", ("id", "organisation", "wish"), problems):
        v = row.values
        sector = _sector(table.name, row, problems)
        duration = _whole_days(table.name, row, "duration", problems, noun="varigheden")
        wished = _host_ids(table.name, row, "wished_hosts", host_ids, problems)
        excluded = _host_ids(table.name, row, "excluded_hosts", host_ids, problems)
        both = sorted(set(wished) & set(excluded))
        if both:
            problems.append(
                Problem(
                    table.name,
                    f"{', '.join(both)} står både som ønsket og udelukket vært",
                    row.line,
                    "excluded_hosts",
                )
            )
        if duration is None:
            continue
        interns.append(
            Intern(
                id=v["id"],
                name=v["name"],
                organisation=v["organisation"],
                sector=sector,
                wish=v["wish"],
                duration=duration,
                wished_hosts=tuple(wished),
                excluded_hosts=frozenset(excluded),
                line=row.line,
                metadata=_extra(v, (*INTERN_COLUMNS, "wished_hosts", "excluded_hosts")),
            )
        )
    return interns


def _locks(
    table: Table, intern_ids: set[str], host_ids: set[str], problems: list[Problem]
) -> list[Lock]:
    missing = table.missing_columns(LOCK_COLUMNS)
    if missing:
        problems.extend(missing)
        return []
    locks = []
    for row in _rows_with_unique_ids(table, "intern_id", LOCK_COLUMNS, problems):
        intern_id, host_id = row.values["intern_id"], row.values["host_id"]
        ok = True
        if intern_id not in intern_ids:
            problems.append(
                Problem(
                    table.name, f"praktikanten '{intern_id}' findes ikke", row.line, "intern_id"
                )
            )
            ok = False
        if host_id and host_id not in host_ids:
            problems.append(
                Problem(table.name, f"værten '{host_id}' findes ikke", row.line, "host_id")
            )
            ok = False
        if ok and host_id:
            locks.append(Lock(intern_id, host_id, table.name, row.line))
    return locks


def _sector(name: str, row: Row, problems: list[Problem]) -> str:
    sector = row.values.get("sector", "").lower()
    if sector and sector not in SECTORS:
        problems.append(
            Problem(
                name, f"ukendt sektor '{sector}' (brug {', '.join(SECTORS)})", row.line, "sector"
            )
        )
    return sector


def _whole_days(
    name: str, row: Row, column: str, problems: list[Problem], *, noun: str
) -> int | None:
    raw = row.values.get(column, "")
    number = _positive_int(raw)
    if number is None:
        problems.append(
            Problem(name, f"{noun} skal være et helt, positivt tal, ikke '{raw}'", row.line, column)
        )
    return number


def _durations(name: str, row: Row, problems: list[Problem]) -> frozenset[int] | None:
    raw = row.values.get("durations", "")
    parts = [p.strip() for p in raw.replace(",", ";").split(";") if p.strip()]
    days = [_positive_int(p) for p in parts]
    if not parts or any(d is None for d in days):
        problems.append(
            Problem(
                name,
                f"varighederne skal være hele, positive antal dage adskilt af ';' (fx 1;2;3), "
                f"ikke '{raw}'",
                row.line,
                "durations",
            )
        )
        return None
    return frozenset(d for d in days if d is not None)


def _positive_int(raw: str) -> int | None:
    text = raw.strip()
    if text.endswith((".0", ",0")):
        text = text[:-2]
    if not text.isdigit():
        return None
    number = int(text)
    return number if number > 0 else None


def _host_ids(
    name: str, row: Row, column: str, host_ids: set[str], problems: list[Problem]
) -> list[str]:
    ids: list[str] = []
    for host_id in (p.strip() for p in row.values.get(column, "").split(";")):
        if not host_id or host_id in ids:
            continue
        if host_id not in host_ids:
            problems.append(Problem(name, f"værten '{host_id}' findes ikke", row.line, column))
            continue
        ids.append(host_id)
    return ids


def _extra(values: dict[str, str], known: Sequence[str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if k not in known}
