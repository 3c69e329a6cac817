"""Load and validate a data folder (units, people, trials) into typed records.

Everything is checked before anything is written, so bad input never half-updates an index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import DataError, Problem
from indexer.records import (
    NON_EMPTY_COLUMNS,
    REQUIRED_COLUMNS,
    SECTORS,
    TRIAL_STATUSES,
    Kind,
    Record,
)
from indexer.tables import Table, find_table, read_table

FILE_STEMS: dict[Kind, str] = {"unit": "units", "person": "people", "trial": "trials"}


@dataclass(frozen=True)
class Dataset:
    units: list[Record]
    people: list[Record]
    trials: list[Record]

    @property
    def records(self) -> list[Record]:
        return [*self.units, *self.people, *self.trials]


def load_data_folder(folder: Path) -> Dataset:
    """Read units (required), people and trials (optional) from CSV or Excel files."""
    if not folder.is_dir():
        raise DataError([Problem(str(folder), "mappen findes ikke")])
    tables: dict[Kind, Table] = {}
    problems: list[Problem] = []
    for kind, stem in FILE_STEMS.items():
        path = find_table(folder, stem)
        if path is None:
            if kind == "unit":
                problems.append(
                    Problem(f"{stem}.csv", f"filen mangler i {folder} (units.csv eller .xlsx)")
                )
            continue
        try:
            tables[kind] = read_table(path)
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return dataset_from_tables(tables)


def dataset_from_tables(tables: dict[Kind, Table]) -> Dataset:
    problems: list[Problem] = []
    records: dict[Kind, list[Record]] = {}
    for kind, table in tables.items():
        records[kind] = _records(kind, table, problems)
    unit_ids = {r.id for r in records.get("unit", [])}
    for kind in ("person", "trial"):
        if kind in tables:
            problems.extend(_dangling_units(tables[kind], unit_ids))
    if problems:
        raise DataError(problems)
    return Dataset(records.get("unit", []), records.get("person", []), records.get("trial", []))


def _records(kind: Kind, table: Table, problems: list[Problem]) -> list[Record]:
    missing = table.missing_columns(REQUIRED_COLUMNS[kind])
    if missing:
        problems.extend(missing)
        return []
    seen: dict[str, int] = {}
    records = []
    for row in table.rows:
        for column in NON_EMPTY_COLUMNS[kind]:
            if not row.values.get(column):
                label = "id" if column == "id" else "teksten"
                problems.append(Problem(table.name, f"{label} er tom", row.line, column))
        record_id = row.values.get("id", "")
        if record_id in seen:
            problems.append(
                Problem(
                    table.name,
                    f"id '{record_id}' findes allerede på linje {seen[record_id]}",
                    row.line,
                    "id",
                )
            )
        elif record_id:
            seen[record_id] = row.line
        problems.extend(_value_problems(kind, table.name, row.line, row.values))
        records.append(Record(kind, record_id, dict(row.values)))
    return records


def _value_problems(kind: Kind, name: str, line: int, values: dict[str, str]) -> Iterable[Problem]:
    if kind == "unit" and values.get("sector") and values["sector"].lower() not in SECTORS:
        yield Problem(
            name, f"ukendt sektor '{values['sector']}' (brug {', '.join(SECTORS)})", line, "sector"
        )
    if kind == "trial":
        status = values.get("status", "")
        if status and status.lower() not in TRIAL_STATUSES:
            yield Problem(
                name,
                f"ukendt status '{status}' (brug {', '.join(TRIAL_STATUSES)})",
                line,
                "status",
            )
        year = values.get("year", "")
        if year and not (year.isascii() and year.isdigit() and 1900 <= int(year) <= 2100):
            yield Problem(name, f"årstallet '{year}' er ikke et år", line, "year")


def _dangling_units(table: Table, unit_ids: set[str]) -> list[Problem]:
    return [
        Problem(
            table.name,
            f"unit_id '{row.values['unit_id']}' findes ikke i units",
            row.line,
            "unit_id",
        )
        for row in table.rows
        if row.values.get("unit_id") and row.values["unit_id"] not in unit_ids
    ]
