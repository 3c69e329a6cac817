"""The Excel reader trusts nothing: short dimensions, entities, DTDs, bombs, broken files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.errors import DataError
from indexer.excel import ExcelLimits
from indexer.loading import load_data_folder
from indexer.records import REQUIRED_COLUMNS
from indexer.tables import read_table_bytes
from service import cli

pytest_plugins = ("tests.conftest_service",)

UNIT_COLUMNS = list(REQUIRED_COLUMNS["unit"])
SHEET = "xl/worksheets/sheet1.xml"


def unit_row(n: int) -> list[str]:
    return [
        f"u{n}",
        f"Enhed nummer {n}",
        "Faxe Kommune",
        "kommune",
        "Ældre og sundhed",
        f"Vi hjælper ældre borgere i eget hjem, hold {n}.",
        "ældrepleje",
        "Mette Sørensen",
        "mette@faxe.dk",
    ]


def workbook_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def units_xlsx(count: int = 3) -> bytes:
    return workbook_bytes([UNIT_COLUMNS, *(unit_row(n) for n in range(1, count + 1))])


def with_member(data: bytes, path: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same package with one member's bytes changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == path else content)
    return out.getvalue()


def short_dimension(data: bytes) -> bytes:
    """The sheet claims one row less than it holds (as some exporters write it)."""

    def change(xml: bytes) -> bytes:
        def shorter(match: re.Match[bytes]) -> bytes:
            return match.group(1) + str(int(match.group(2)) - 1).encode() + b'"'

        changed, count = re.subn(rb'(<dimension ref="A1:[A-Z]+)(\d+)"', shorter, xml)
        assert count == 1
        return changed

    return with_member(data, SHEET, change)


def with_doctype(xml: bytes, doctype: bytes) -> bytes:
    """The XML with a DOCTYPE after its declaration (openpyxl writes none)."""
    if xml.startswith(b"<?xml"):
        declaration, body = xml.split(b"?>", 1)
        return declaration + b"?>" + doctype + body
    return doctype + xml


def problem_text(excinfo: pytest.ExceptionInfo[DataError]) -> str:
    return " ".join(str(p) for p in excinfo.value.problems)


def test_every_row_is_read_whatever_the_dimension_says() -> None:
    data = short_dimension(units_xlsx(3))
    assert b'ref="A1:I3"' in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    table = read_table_bytes(data, name="units.xlsx")
    assert [r.values["id"] for r in table.rows] == ["u1", "u2", "u3"]
    assert [r.line for r in table.rows] == [2, 3, 4]


def test_a_data_folder_with_a_short_dimension_keeps_its_last_unit(tmp_path: Path) -> None:
    (tmp_path / "units.xlsx").write_bytes(short_dimension(units_xlsx(3)))
    assert [u.id for u in load_data_folder(tmp_path).units] == ["u1", "u2", "u3"]


def test_entities_are_refused_before_they_expand() -> None:
    laughs = (
        b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )

    def change(xml: bytes) -> bytes:
        assert b"Enhed nummer 1" in xml
        return with_doctype(xml.replace(b"Enhed nummer 1", b"&lol3;"), laughs)

    data = with_member(units_xlsx(), SHEET, change)
    with pytest.raises(DataError) as caught:
        read_table_bytes(data, name="units.xlsx")
    assert "DTD" in problem_text(caught) and "units.xlsx" in problem_text(caught)


def test_a_dtd_pointing_at_a_local_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "hemmelig.txt"
    secret.write_text("HEMMELIGT-INDHOLD")
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()

    def change(xml: bytes) -> bytes:
        return with_doctype(xml.replace(b"<t>", b"<t>&xxe;", 1), doctype)

    for member in (SHEET, "xl/workbook.xml"):
        data = with_member(units_xlsx(), member, change)
        with pytest.raises(DataError) as caught:
            read_table_bytes(data, name="units.xlsx")
        assert "DTD" in problem_text(caught)
        assert "HEMMELIGT" not in problem_text(caught)


def test_uncompressed_size_is_capped() -> None:
    rows = [UNIT_COLUMNS, *([unit_row(1)] * 2000)]
    data = workbook_bytes(rows)
    with pytest.raises(DataError) as caught:
        read_table_bytes(data, name="units.xlsx", excel_limits=ExcelLimits(100_000, 10**9))
    assert "pakkes ud" in problem_text(caught)
    assert (
        len(data) < 100_000 < sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    )


def test_cell_count_is_capped_and_located() -> None:
    data = units_xlsx(20)
    with pytest.raises(DataError) as caught:
        read_table_bytes(data, name="units.xlsx", excel_limits=ExcelLimits(10**9, 50))
    (problem,) = caught.value.problems
    assert "celler" in problem.message and "Sheet" in problem.message and problem.line == 6


def test_broken_sheet_is_a_located_data_error() -> None:
    data = with_member(units_xlsx(), SHEET, lambda xml: xml[: len(xml) // 2])
    with pytest.raises(DataError) as caught:
        read_table_bytes(data, name="units.xlsx")
    assert re.search(r"units\.xlsx: arket »Sheet« kan ikke læses", problem_text(caught))


def test_a_bad_cell_reference_names_its_row() -> None:
    data = with_member(units_xlsx(), SHEET, lambda xml: xml.replace(b'r="B3"', b'r="3B"'))
    with pytest.raises(DataError) as caught:
        read_table_bytes(data, name="units.xlsx")
    (problem,) = caught.value.problems
    assert problem.line == 3 and "3B" in problem.message


def test_a_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hej")
    with pytest.raises(DataError) as caught:
        read_table_bytes(out.getvalue(), name="units.xlsx")
    assert "xl/workbook.xml" in problem_text(caught)


def test_a_workbook_as_excel_writes_it() -> None:
    """Shared strings with rich-text runs, rows and cells without references, a gap."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    members = {
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
        '<sheet name="Enheder" sheetId="1" r:id="rId7"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId7" Type="x" '
        'Target="/xl/worksheets/ark.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}"><si><t>id</t></si><si><t>name</t></si>'
        "<si><r><t>Borger</t></r><r><t>service</t></r><rPh><t>x</t></rPh></si></sst>",
        "xl/worksheets/ark.xml": f'<worksheet xmlns="{main}"><dimension ref="A1"/><sheetData>'
        '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c r="D1"><v>7</v></c></row>'
        '<row><c t="s"><v>0</v></c><c t="s"><v>2</v></c></row></sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path, text in members.items():
            archive.writestr(path, text)
    table = read_table_bytes(out.getvalue(), name="enheder.xlsx")
    assert table.columns == ["id", "name", "", "7"]
    assert [(r.line, r.values["id"], r.values["name"]) for r in table.rows] == [
        (2, "id", "Borgerservice")
    ]


def test_a_shared_string_that_is_missing_is_located() -> None:
    data = with_member(
        units_xlsx(),
        SHEET,
        lambda xml: xml.replace(
            b'<c r="A3" t="inlineStr"><is><t>u2</t></is></c>', b'<c r="A3" t="s"><v>9</v></c>'
        ),
    )
    with pytest.raises(DataError) as caught:
        read_table_bytes(data, name="units.xlsx")
    (problem,) = caught.value.problems
    assert problem.line == 3 and "A3" in problem.message


def test_strings_numbers_and_booleans_read_as_text() -> None:
    rows: list[list[object]] = [["id", "year", "share", "flag"], ["t1", 2022.0, 0.25, True]]
    table = read_table_bytes(workbook_bytes(rows), name="trials.xlsx")
    assert table.rows[0].values == {"id": "t1", "year": "2022", "share": "0.25", "flag": "SAND"}


FUZZ_SEED = units_xlsx(4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzzed_files_give_records_or_a_data_error(data: st.DataObject) -> None:
    original = FUZZ_SEED  # one file: openpyxl stamps each save with the time
    inside = data.draw(st.booleans(), label="inside the sheet")
    target = zipfile.ZipFile(io.BytesIO(original)).read(SHEET) if inside else original
    keep = data.draw(st.integers(len(target) // 2 if inside else 5, len(target)), label="keep")
    mutated = bytearray(target[:keep])
    byte = st.binary(min_size=1, max_size=1)
    for at, value in data.draw(st.lists(st.tuples(st.integers(0, keep - 1), byte), max_size=8)):
        if inside or at >= 4:  # keep the zip signature, or it is read as CSV
            mutated[at : at + 1] = value
    candidate = with_member(original, SHEET, lambda _: bytes(mutated)) if inside else bytes(mutated)
    try:
        table = read_table_bytes(candidate, name="units.xlsx")
    except DataError as exc:
        assert exc.problems and all(p.file == "units.xlsx" for p in exc.problems)
    else:
        assert all(isinstance(v, str) for row in table.rows for v in row.values.values())


# The same reader behind the CLI and the API -------------------------------------------------


def test_cli_index_of_a_broken_workbook_is_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    broken = with_member(units_xlsx(), SHEET, lambda xml: xml[:200])
    (folder / "units.xlsx").write_bytes(broken)
    result = CliRunner().invoke(cli.main, ["--home", str(tmp_path / "home"), "index", str(folder)])
    assert result.exit_code != 0
    assert "units.xlsx" in result.output and "kan ikke læses" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def _xlsx_of(path: Path) -> bytes:
    buffer = io.BytesIO()
    pd.read_csv(path, dtype=str, keep_default_na=False).to_excel(buffer, index=False)
    return buffer.getvalue()


def test_pairing_upload_with_a_short_dimension_keeps_every_intern(
    client: TestClient, auth: dict[str, str], week: dict[str, Path]
) -> None:
    interns = short_dimension(_xlsx_of(week["interns"]))
    files = {
        "hosts": ("hosts.xlsx", _xlsx_of(week["hosts"]), "application/octet-stream"),
        "interns": ("interns.xlsx", interns, "application/octet-stream"),
    }
    response = client.post("/api/pairings", files=files, headers=auth)  # coordinator+
    assert response.status_code == 200, response.text
    expected = len(pd.read_csv(week["interns"], dtype=str))
    body = response.json()
    assert len(body["pairs"]) + len(body["unmatched"]) == expected


@pytest.mark.parametrize(
    "breakage",
    [
        lambda data: with_member(data, SHEET, lambda xml: xml[:300]),
        lambda data: with_member(
            data,
            SHEET,
            lambda xml: with_doctype(
                xml.replace(b"<t>", b"<t>&e;", 1),
                b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
            ),
        ),
        lambda data: data[: len(data) // 2],
    ],
    ids=["truncated sheet", "local file DTD", "truncated zip"],
)
def test_pairing_upload_of_a_broken_workbook_is_a_4xx(
    client: TestClient,
    auth: dict[str, str],
    week: dict[str, Path],
    breakage: Callable[[bytes], bytes],
) -> None:
    files = {
        "hosts": ("hosts.xlsx", breakage(_xlsx_of(week["hosts"])), "application/octet-stream"),
        "interns": ("interns.csv", week["interns"].read_bytes(), "text/csv"),
    }
    response = client.post("/api/pairings", files=files, headers=auth)  # coordinator+
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["file"] == "hosts.xlsx"
    assert "root:" not in response.text
