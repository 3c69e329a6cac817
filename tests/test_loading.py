"""Every bad-input case: a clear Danish error naming file, line and column, and the index that
already exists is left exactly as it was (files byte-identical, store holding the old records)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.build import Home
from indexer.errors import DataError, Problem
from indexer.live import index_data_folder
from indexer.loading import load_data_folder
from indexer.records import REQUIRED_COLUMNS, Record
from tests.fakes import FakeEmbedder

UNITS = [
    {
        "id": "u1",
        "name": "Hjemmeplejen Haslev",
        "organisation": "Faxe Kommune",
        "sector": "kommune",
        "area": "Ældre og sundhed",
        "description": "Vi hjælper ældre borgere i eget hjem med pleje og skærmbesøg om natten.",
        "competencies": "ældrepleje;velfærdsteknologi;skærmbesøg",
        "contact_name": "Mette Sørensen",
        "contact_email": "mette@faxe.dk",
    },
    {
        "id": "u2",
        "name": "Borgerservice Faxe",
        "organisation": "Faxe Kommune",
        "sector": "kommune",
        "area": "Borgerservice",
        "description": "Pas, kørekort og hjælp til MitID og Digital Post.",
        "competencies": "MitID;Digital Post",
        "contact_name": "Jens Kjær",
        "contact_email": "jens@faxe.dk",
    },
    {
        "id": "u3",
        "name": "Data og Analyse",
        "organisation": "Region Sjælland",
        "sector": "region",
        "area": "Digitalisering",
        "description": "Dashboards i Power BI om ventetider på sygehusene.",
        "competencies": "Power BI;datavarehus",
        "contact_name": "Åse Læssøe",
        "contact_email": "aase@regionsjaelland.dk",
    },
]
PEOPLE = [
    {
        "id": "p1",
        "name": "Søren Østergaard",
        "title": "Sygeplejerske",
        "unit_id": "u1",
        "expertise": "Skærmbesøg;natlige tilsyn;velfærdsteknologi",
        "email": "soeren@faxe.dk",
    },
    {
        "id": "p2",
        "name": "Birgitte Holm",
        "title": "Social- og sundhedsassistent",
        "unit_id": "u1",
        "expertise": "Demens og pårørendesamarbejde",
        "email": "birgitte@faxe.dk",
    },
    {
        "id": "p3",
        "name": "Jens Kjær",
        "title": "Borgerservicemedarbejder",
        "unit_id": "u2",
        "expertise": "MitID-hjælp til ældre; Digital Post",
        "email": "jens@faxe.dk",
    },
]
TRIALS = [
    {
        "id": "t1",
        "title": "Skærmbesøg om natten",
        "unit_id": "u1",
        "description": "Nattevagter ser til borgeren via skærm i stedet for at køre ud.",
        "status": "afsluttet",
        "year": "2022",
        "learnings": "Borgerne sover bedre uden uanmeldte besøg.",
    },
    {
        "id": "t2",
        "title": "Ventetider i Power BI",
        "unit_id": "u3",
        "description": "Et fælles dashboard for alle afdelinger.",
        "status": "igangværende",
        "year": "2024",
        "learnings": "",
    },
]


def write_table(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    columns = columns if columns is not None else list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(c, "") for c in columns] for row in rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def write_data_folder(
    folder: Path,
    units: list[dict[str, str]] = UNITS,
    people: list[dict[str, str]] = PEOPLE,
    trials: list[dict[str, str]] = TRIALS,
) -> Path:
    """units.csv is on line 2 for the first row, line 3 for the second, and so on."""
    folder.mkdir(parents=True, exist_ok=True)
    write_table(folder / "units.csv", units, list(REQUIRED_COLUMNS["unit"]))
    write_table(folder / "people.csv", people, list(REQUIRED_COLUMNS["person"]))
    write_table(folder / "trials.csv", trials, list(REQUIRED_COLUMNS["trial"]))
    return folder


def changed(rows: list[dict[str, str]], index: int, **values: str) -> list[dict[str, str]]:
    return [row | values if i == index else row for i, row in enumerate(rows)]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@dataclass
class BuiltHome:
    home: Home
    files: dict[str, bytes]
    records: list[Record]

    def assert_untouched(self) -> None:
        assert snapshot(self.home.index_dir) == self.files
        assert sorted(p.name for p in self.home.path.iterdir()) == ["index", "tvaers.db"]
        store = self.home.open_store()
        try:
            assert store.all_records() == self.records
        finally:
            store.close()


@pytest.fixture
def built(tmp_path: Path) -> BuiltHome:
    home = Home(tmp_path / "home")
    index_data_folder(write_data_folder(tmp_path / "good"), home, FakeEmbedder())
    store = home.open_store()
    try:
        records = store.all_records()
    finally:
        store.close()
    assert len(records) == len(UNITS) + len(PEOPLE) + len(TRIALS)
    return BuiltHome(home, snapshot(home.index_dir), records)


def refused(folder: Path, built: BuiltHome) -> Problem:
    """Index the bad folder over the built home; return the one problem reported."""
    embedder = FakeEmbedder()
    with pytest.raises(DataError) as excinfo:
        index_data_folder(folder, built.home, embedder)
    assert embedder.calls == []
    assert "intet er ændret" in str(excinfo.value)
    problems = excinfo.value.problems
    assert len(problems) == 1, problems
    return problems[0]


def where(problem: Problem) -> tuple[str, int | None, str | None]:
    return problem.file, problem.line, problem.column


def test_good_folder_loads_every_record(tmp_path: Path) -> None:
    dataset = load_data_folder(write_data_folder(tmp_path))
    assert [r.id for r in dataset.units] == ["u1", "u2", "u3"]
    assert [r.id for r in dataset.people] == ["p1", "p2", "p3"]
    assert [r.id for r in dataset.trials] == ["t1", "t2"]
    assert dataset.people[0].get("name") == "Søren Østergaard"


def test_people_and_trials_files_are_optional(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    write_table(tmp_path / "units.csv", UNITS)
    dataset = load_data_folder(tmp_path)
    assert (len(dataset.units), dataset.people, dataset.trials) == (3, [], [])


def test_sector_and_status_are_case_insensitive(tmp_path: Path) -> None:
    units = changed(UNITS, 0, sector="Kommune")
    folder = write_data_folder(tmp_path, units=units, trials=changed(TRIALS, 0, status="Afsluttet"))
    dataset = load_data_folder(folder)
    assert dataset.units[0].get("sector") == "Kommune"


Damage = Callable[[Path], object]


def _remove(name: str) -> Damage:
    return lambda folder: (folder / name).unlink()


def _overwrite(name: str, data: bytes) -> Damage:
    return lambda folder: (folder / name).write_bytes(data)


def _without_email_column(folder: Path) -> None:
    columns = [c for c in REQUIRED_COLUMNS["person"] if c != "email"]
    write_table(folder / "people.csv", PEOPLE, columns)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(256)
ONE_MEGABYTE = "Vi hjælper ældre. " * 60_000  # ~1 MB

# (tables given to write_data_folder, damage done to the written folder, place, message fragment)
BAD_FOLDERS = [
    pytest.param(
        {},
        _remove("units.csv"),
        ("units.csv", None, None),
        "filen mangler",
        id="missing_units_file_is_refused",
    ),
    pytest.param(
        {},
        _without_email_column,
        ("people.csv", 1, "email"),
        "kolonnen mangler",
        id="missing_required_column_is_refused",
    ),
    pytest.param(
        {"people": changed(PEOPLE, 1, id=" ")},
        None,
        ("people.csv", 3, "id"),
        "id er tom",
        id="empty_id_is_refused",
    ),
    pytest.param(
        # u3's people and trials now point nowhere too; only the duplicate is about units.csv.
        {"units": changed(UNITS, 2, id="u1"), "trials": TRIALS[:1]},
        None,
        ("units.csv", 4, "id"),
        "id 'u1' findes allerede på linje 2",
        id="duplicate_id_is_refused_naming_the_first_line",
    ),
    pytest.param(
        {"trials": changed(TRIALS, 1, unit_id="u9")},
        None,
        ("trials.csv", 3, "unit_id"),
        "unit_id 'u9' findes ikke i units",
        id="unit_id_pointing_nowhere_is_refused",
    ),
    pytest.param(
        {"people": changed(PEOPLE, 2, expertise="")},
        None,
        ("people.csv", 4, "expertise"),
        "teksten er tom",
        id="empty_text_is_refused",
    ),
    pytest.param(
        {"units": changed(UNITS, 0, description="  ")},
        None,
        ("units.csv", 2, "description"),
        "teksten er tom",
        id="empty_unit_description_is_refused",
    ),
    pytest.param(
        {"units": changed(UNITS, 1, description="æ" * 30_000)},
        None,
        ("units.csv", 3, "description"),
        "feltet er for langt",
        id="too_long_description_is_refused",
    ),
    pytest.param(
        {"units": changed(UNITS, 1, description=ONE_MEGABYTE)},
        None,
        ("units.csv", 3, "description"),
        "feltet er for langt",
        id="description_of_one_megabyte_is_refused",
    ),
    pytest.param(
        {},
        _overwrite("people.csv", PNG),
        ("people.csv", None, None),
        "binær",
        id="binary_file_is_refused",
    ),
    pytest.param(
        {},
        _overwrite("trials.csv", b""),
        ("trials.csv", None, None),
        "filen er tom",
        id="empty_file_is_refused",
    ),
    pytest.param(
        {"units": changed(UNITS, 2, sector="privat")},
        None,
        ("units.csv", 4, "sector"),
        "ukendt sektor 'privat'",
        id="invalid_sector_is_refused",
    ),
    pytest.param(
        {"trials": changed(TRIALS, 0, status="færdig")},
        None,
        ("trials.csv", 2, "status"),
        "ukendt status 'færdig'",
        id="invalid_status_is_refused",
    ),
    pytest.param(
        {"trials": changed(TRIALS, 1, year="sidste år")},
        None,
        ("trials.csv", 3, "year"),
        "årstallet 'sidste år' er ikke et år",
        id="invalid_year_is_refused",
    ),
    pytest.param(
        {"trials": changed(TRIALS, 0, year="20222")},
        None,
        ("trials.csv", 2, "year"),
        "er ikke et år",
        id="year_out_of_range_is_refused",
    ),
    pytest.param(
        {"trials": changed(TRIALS, 0, year="2021¹")},
        None,
        ("trials.csv", 2, "year"),
        "er ikke et år",
        id="year_with_footnote_digit_is_refused",
    ),
]


@pytest.mark.parametrize(("tables", "damage", "place", "fragment"), BAD_FOLDERS)
def test_bad_folder_is_refused_and_index_untouched(
    tmp_path: Path,
    built: BuiltHome,
    tables: dict[str, list[dict[str, str]]],
    damage: Damage | None,
    place: tuple[str, int | None, str | None],
    fragment: str,
) -> None:
    folder = write_data_folder(tmp_path / "bad", **tables)
    if damage is not None:
        damage(folder)
    problem = refused(folder, built)
    assert where(problem) == place
    assert fragment in problem.message
    built.assert_untouched()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    units = changed(UNITS, 0, sector="privat")
    people = changed(PEOPLE, 0, unit_id="u9")
    folder = write_data_folder(tmp_path, units=units, people=people)
    with pytest.raises(DataError) as excinfo:
        load_data_folder(folder)
    assert sorted(where(p) for p in excinfo.value.problems) == [
        ("people.csv", 2, "unit_id"),
        ("units.csv", 2, "sector"),
    ]
    assert "people.csv, linje 2, kolonne 'unit_id'" in str(excinfo.value)
