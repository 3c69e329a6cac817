"""Reading tables as Danish offices produce them: encodings, delimiters, Excel, extra columns."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.errors import DataError, Problem
from indexer.loading import load_data_folder
from indexer.records import REQUIRED_COLUMNS, documents_from_records
from indexer.tables import read_table, read_table_bytes

UNIT_COLUMNS = list(REQUIRED_COLUMNS["unit"])
DANISH = "Æblegården på Ørevej – ældrepleje, Åse & Søren"


def csv_text(columns: list[str], rows: list[dict[str, str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def unit(unit_id: str = "u1", **overrides: str) -> dict[str, str]:
    values = {
        "id": unit_id,
        "name": "Hjemmeplejen Haslev",
        "organisation": "Faxe Kommune",
        "sector": "kommune",
        "area": "Ældre og sundhed",
        "description": "Vi hjælper ældre borgere i eget hjem med pleje og skærmbesøg om natten.",
        "competencies": "ældrepleje;velfærdsteknologi",
        "contact_name": "Mette Sørensen",
        "contact_email": "mette@faxe.dk",
    }
    return values | overrides


def only_problem(excinfo: pytest.ExceptionInfo[DataError]) -> Problem:
    problems = excinfo.value.problems
    assert len(problems) == 1, problems
    return problems[0]


def test_utf8_with_bom_reads_first_column_and_danish_letters() -> None:
    data = csv_text(UNIT_COLUMNS, [unit(name=DANISH)]).encode("utf-8-sig")
    table = read_table_bytes(data, name="units.csv")
    assert table.columns == UNIT_COLUMNS
    assert table.rows[0].values["id"] == "u1"
    assert table.rows[0].values["name"] == DANISH


def test_utf8_without_bom_reads_danish_letters() -> None:
    table = read_table_bytes(csv_text(UNIT_COLUMNS, [unit(name=DANISH)]).encode(), name="u.csv")
    assert table.rows[0].values["name"] == DANISH


def test_cp1252_file_keeps_danish_letters_and_windows_extras() -> None:
    name = "Ærø Rådhus – “klarsprog” for 5 €"
    data = csv_text(UNIT_COLUMNS, [unit(name=name)]).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read_table_bytes(data, name="units.csv")
    assert table.rows[0].values["name"] == name
    assert table.rows[0].values["area"] == "Ældre og sundhed"


def test_latin1_file_keeps_danish_letters() -> None:
    # \x81 and \x8d are undefined in cp1252, so only latin-1 can decode this file.
    name = "Sønderå Børnehus\x81 ÆØÅ æøå é"
    data = csv_text(UNIT_COLUMNS, [unit(name=name)]).encode("latin-1")
    table = read_table_bytes(data, name="units.csv")
    assert table.rows[0].values["name"] == name


def test_semicolon_separated_danish_excel_export() -> None:
    rows = [
        unit(description="Pleje, omsorg og rehabilitering; også om natten"),
        unit("u2", name="Borgerservice Faxe", area="Borgerservice"),
    ]
    data = csv_text(UNIT_COLUMNS, rows, delimiter=";").encode("cp1252")
    table = read_table_bytes(data, name="units.csv")
    assert table.columns == UNIT_COLUMNS
    assert [r.line for r in table.rows] == [2, 3]
    assert table.rows[0].values["description"] == (
        "Pleje, omsorg og rehabilitering; også om natten"
    )
    assert table.rows[1].values["name"] == "Borgerservice Faxe"


def test_xlsx_file_is_read_with_numbers_as_text(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    columns = list(REQUIRED_COLUMNS["trial"])
    sheet.append(columns)
    sheet.append(["t1", "Skærmbesøg om natten", "u1", "Nattevagter ser borgeren på skærm."])
    sheet.cell(row=2, column=5, value="afsluttet")
    sheet.cell(row=2, column=6, value=2022)
    sheet.append([None] * len(columns))
    sheet.append(["t2", "Ældre på tværs", "u1", "Frivillige besøgsvenner.", "planlagt", 2025.0])
    path = tmp_path / "trials.xlsx"
    workbook.save(path)

    table = read_table(path)

    assert table.name == "trials.xlsx"
    assert table.columns == columns
    assert [r.line for r in table.rows] == [2, 4]
    assert table.rows[0].values["title"] == "Skærmbesøg om natten"
    assert table.rows[0].values["year"] == "2022"
    assert table.rows[1].values["year"] == "2025"
    assert table.rows[1].values["learnings"] == ""


def test_xlsx_data_folder_loads_like_csv(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(UNIT_COLUMNS)
    sheet.append([unit(name=DANISH)[c] for c in UNIT_COLUMNS])
    workbook.save(tmp_path / "units.xlsx")

    dataset = load_data_folder(tmp_path)

    assert [(r.id, r.get("name")) for r in dataset.units] == [("u1", DANISH)]


def test_extra_columns_are_kept_as_metadata_on_the_document(tmp_path: Path) -> None:
    columns = [*UNIT_COLUMNS, "Adresse", "employees"]
    row = unit() | {"Adresse": "Rådhusvej 2, 4690 Haslev", "employees": "42"}
    (tmp_path / "units.csv").write_text(csv_text(columns, [row]), encoding="utf-8")

    dataset = load_data_folder(tmp_path)
    [document] = documents_from_records(dataset.records)

    assert dataset.units[0].extra == {"adresse": "Rådhusvej 2, 4690 Haslev", "employees": "42"}
    assert document.metadata["adresse"] == "Rådhusvej 2, 4690 Haslev"
    assert document.metadata["employees"] == "42"


def test_quoted_multiline_cell_keeps_line_numbers_of_later_rows() -> None:
    rows = [unit(description="første linje\nanden linje"), unit("u2")]
    table = read_table_bytes(csv_text(UNIT_COLUMNS, rows).encode(), name="units.csv")
    assert [r.line for r in table.rows] == [2, 4]
    assert table.rows[0].values["description"] == "første linje\nanden linje"


def test_cell_of_exactly_20000_chars_is_accepted() -> None:
    rows = [unit(description="ø" * 20_000)]
    table = read_table_bytes(csv_text(UNIT_COLUMNS, rows).encode(), name="units.csv")
    assert len(table.rows[0].values["description"]) == 20_000


EXTRA_CELL_ROW = "u2,a,b,kommune,c,d,e,f,g,overskud\r\n"

# (file content, file name, place named by the one problem, message fragment)
REFUSED_TABLES = [
    pytest.param(
        csv_text(UNIT_COLUMNS, [unit(), unit("u2", description="ø" * 20_001)]).encode(),
        "units.csv",
        ("units.csv", 3, "description"),
        "feltet er for langt",
        id="cell_over_20000_chars_names_file_line_and_column",
    ),
    pytest.param(
        csv_text(UNIT_COLUMNS, [unit(description="x" * 1_000_000)]).encode(),
        "units.csv",
        ("units.csv", 2, "description"),
        "feltet er for langt",
        id="one_megabyte_cell_names_file_line_and_column",
    ),
    pytest.param(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "units.csv",
        ("units.csv", None, None),
        "binær",
        id="binary_file_is_refused",
    ),
    pytest.param(
        b"",
        "people.csv",
        ("people.csv", None, None),
        "filen er tom",
        id="empty_file_is_refused-zero-bytes",
    ),
    pytest.param(
        b"  \r\n\n",
        "people.csv",
        ("people.csv", None, None),
        "filen er tom",
        id="empty_file_is_refused-blank-lines",
    ),
    pytest.param(
        b"\xef\xbb\xbf",
        "people.csv",
        ("people.csv", None, None),
        "filen er tom",
        id="file_with_only_a_bom_is_reported_empty",
    ),
    pytest.param(
        (csv_text(UNIT_COLUMNS, [unit()]) + EXTRA_CELL_ROW).encode(),
        "units.csv",
        ("units.csv", 3, None),
        "felter",
        id="row_with_more_cells_than_header_names_the_line",
    ),
]


@pytest.mark.parametrize(("data", "name", "place", "fragment"), REFUSED_TABLES)
def test_bad_table_is_refused_naming_the_place(
    data: bytes, name: str, place: tuple[str, int | None, str | None], fragment: str
) -> None:
    with pytest.raises(DataError) as excinfo:
        read_table_bytes(data, name=name)
    problem = only_problem(excinfo)
    assert (problem.file, problem.line, problem.column) == place
    assert fragment in problem.message


def test_header_names_are_trimmed_and_lower_cased() -> None:
    text = " ID ;Navn\r\nu1;Hjemmeplejen\r\n"
    table = read_table_bytes(text.encode("utf-8-sig"), name="units.csv")
    assert table.columns == ["id", "navn"]
    assert table.rows[0].values == {"id": "u1", "navn": "Hjemmeplejen"}


cell = st.text(alphabet="abcæøåÆØÅé€–“” ,;\"'\n0123456789", max_size=30).map(str.strip)


@given(
    st.lists(st.tuples(cell, cell), max_size=5), st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])
)
def test_written_cells_read_back_exactly(rows: list[tuple[str, str]], encoding: str) -> None:
    dicts = [{"id": f"u{i}", "name": name, "area": area} for i, (name, area) in enumerate(rows)]
    data = csv_text(["id", "name", "area"], dicts).encode(encoding)
    table = read_table_bytes(data, name="units.csv")
    assert [r.values for r in table.rows] == dicts


def test_mostly_utf8_file_with_one_cp1252_line_never_mangles_danish_letters() -> None:
    data = "id,name\nu1,Ældre og sundhed\n".encode() + "u2,Sønderå\n".encode("cp1252")
    try:
        table = read_table_bytes(data, name="units.csv")
    except DataError as exc:
        # Refusing the file, naming the bad line, is fine too.
        assert [(p.file, p.line) for p in exc.problems] == [("units.csv", 3)]
        return
    assert [r.values["name"] for r in table.rows] == ["Ældre og sundhed", "Sønderå"]
