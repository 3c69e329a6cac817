"""Reading CSV and Excel tables the way Danish offices produce them.

UTF-8 with or without BOM; cp1252/latin-1 when a file is clearly not UTF-8 (old Excel exports);
comma or semicolon separated. Rows keep their line number so errors can point at them.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import DataError, Problem
from indexer.excel import ExcelLimits, read_first_sheet
from indexer.records import NUL_MESSAGE, clean_text

MAX_CELL_CHARS = 20_000
MAX_FILE_BYTES = 200 * 1024 * 1024
TABLE_SUFFIXES = (".csv", ".xlsx")
FILE_EXCEL_LIMITS = ExcelLimits()


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    name: str  # file name, for messages
    columns: list[str]
    rows: list[Row]

    def missing_columns(self, required: Sequence[str]) -> list[Problem]:
        """One problem per required column the header lacks, each pointing at line 1."""
        return [
            Problem(self.name, "kolonnen mangler i overskriften", line=1, column=column)
            for column in required
            if column not in self.columns
        ]


def find_table(folder: Path, stem: str) -> Path | None:
    for suffix in TABLE_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    return None


def read_table(path: Path) -> Table:
    """Read a table file; raise DataError naming the file when it cannot be read at all."""
    return read_table_bytes(path.read_bytes(), name=path.name)


def read_table_bytes(
    data: bytes, *, name: str, excel_limits: ExcelLimits = FILE_EXCEL_LIMITS
) -> Table:
    """CSV or Excel by content; uploads pass tighter `excel_limits` than files on disk."""
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise DataError([Problem(name, "filen er tom")])
    if len(data) > MAX_FILE_BYTES:
        raise DataError([Problem(name, "filen er for stor (over 200 MB)")])
    if data[:4] == b"PK\x03\x04":
        return _read_excel(data, name, excel_limits)
    if _looks_binary(data[:8192]):
        raise DataError(
            [Problem(name, "filen ser ud til at være binær, ikke CSV. Gem den som CSV (UTF-8).")]
        )
    text = _decode(data, name)
    return _read_csv(text, name)


_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])


def _looks_binary(head: bytes) -> bool:
    """Many control bytes (images, UTF-16, executables); a stray NUL is one cell's problem."""
    return b"\x00" in head and len(head.translate(None, _CONTROL_BYTES)) < 0.99 * len(head)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if any(letter in data for letter in _UTF8_DANISH):
            # Partly UTF-8, partly something else: decoding either way would mangle æ/ø/å.
            line = data[: exc.start].count(b"\n") + 1
            raise DataError(
                [
                    Problem(
                        name,
                        "filen blander tegnsæt (UTF-8 og Windows/latin-1); gem den igen som "
                        "»CSV UTF-8«",
                        line,
                    )
                ]
            ) from exc
        # Not UTF-8: a Danish Excel export. cp1252 covers æøå and the Windows extras (€, ”);
        # latin-1 decodes anything cp1252 leaves undefined.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


_UTF8_DANISH = tuple(letter.encode() for letter in "æøåÆØÅ")


def _read_csv(text: str, name: str) -> Table:
    # The cell limit below gives a clear message; csv's own smaller limit must not trip first.
    csv.field_size_limit(MAX_FILE_BYTES)
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise DataError([Problem(name, f"kan ikke læse overskriften: {exc}", line=1)]) from exc
    columns = [_column_name(clean_text(c)) for c in header]
    rows: list[Row] = []
    problems: list[Problem] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append(_row(columns, cells, line, name, problems))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(name, f"ugyldig CSV: {exc}", line=line))
    if problems:
        raise DataError(problems)
    return Table(name, columns, rows)


def _read_excel(data: bytes, name: str, limits: ExcelLimits) -> Table:
    sheet = read_first_sheet(data, name, limits)
    filled = [(line, cells) for line, cells in sheet.rows if any(c.strip() for c in cells)]
    if not filled:
        raise DataError([Problem(name, "filen er tom")])
    (_, header), body = filled[0], filled[1:]
    columns = [_column_name(clean_text(c)) for c in header]
    problems: list[Problem] = []
    rows = [_row(columns, cells, line, name, problems) for line, cells in body]
    if problems:
        raise DataError(problems)
    return Table(name, columns, rows)


def _column_name(raw: str) -> str:
    return raw.strip().lstrip("\ufeff").lower()


def _row(
    columns: list[str], cells: list[str], line: int, name: str, problems: list[Problem]
) -> Row:
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        problems.append(
            Problem(name, f"rækken har {len(cells)} felter, men overskriften {len(columns)}", line)
        )
    values: dict[str, str] = {}
    for column, cell in zip(columns, cells, strict=False):
        if not column:
            continue
        if "\x00" in cell:
            problems.append(Problem(name, NUL_MESSAGE, line, column))
            cell = ""
        cell = clean_text(cell)
        if len(cell) > MAX_CELL_CHARS:
            problems.append(
                Problem(
                    name,
                    f"feltet er for langt ({len(cell):,} tegn; højst {MAX_CELL_CHARS:,})",
                    line,
                    column,
                )
            )
            cell = ""
        values[column] = cell.strip()
    for column in columns[len(cells) :]:
        if column:
            values[column] = ""
    return Row(line, values)
