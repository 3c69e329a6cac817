"""Reading the first sheet of an .xlsx file without trusting it.

Files come from many hands and from uploads, so the reader reads the package itself: every row
whatever the sheet's `<dimension>` claims, no DTDs or entities (defusedxml), a cap on the
uncompressed size and on the number of cells, and every failure as a located `DataError`.
Cells come back as text, the way a CSV file gives them: numbers without a trailing ".0", shared
and inline strings as written. Date cells come back as Excel's day numbers (no column we read
holds dates).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse

from indexer.errors import DataError, Problem

_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_STRICT_RELATIONSHIP_ID = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})(\d+)$")


@dataclass(frozen=True)
class ExcelLimits:
    """What one file may expand to once unpacked."""

    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_cells: int = 5_000_000


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[tuple[int, list[str]]]  # (row number in Excel, cells from column A)


def read_first_sheet(data: bytes, file: str, limits: ExcelLimits) -> Sheet:
    """The first sheet's rows, or a `DataError` naming the file (and sheet and row when known)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _error(
            file, "filen er ikke en gyldig Excel-fil (.xlsx); gem den igen i Excel"
        ) from exc
    with archive:
        _check_size(archive, file, limits)
        sheet_name, sheet_path = _first_sheet(archive, file)
        strings = _shared_strings(archive, file)
        where = f"arket »{sheet_name}«"
        try:
            with archive.open(sheet_path) as source:
                rows = list(_rows(source, strings, limits, file, where))
        except _SheetError as exc:
            raise _error(file, f"{where}: {exc.message}", exc.row) from exc
        except (ParseError, DefusedXmlException, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise _error(file, f"{where} kan ikke læses ({_reason(exc)})") from exc
    return Sheet(sheet_name, rows)


class _SheetError(Exception):
    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


def _error(file: str, message: str, row: int | None = None) -> DataError:
    return DataError([Problem(file, message, line=row)])


def _reason(exc: Exception) -> str:
    if isinstance(exc, DefusedXmlException):
        return "filen indeholder DTD'er eller entiteter, som tvaers ikke læser af sikkerhedshensyn"
    return "filen er beskadiget eller afkortet; gem den igen i Excel"


def _check_size(archive: zipfile.ZipFile, file: str, limits: ExcelLimits) -> None:
    # zipfile stops at the declared size and checks the CRC, so the declared sizes are binding.
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limits.max_uncompressed_bytes:
        mb = limits.max_uncompressed_bytes // (1024 * 1024)
        raise _error(
            file,
            f"filen fylder over {mb} MB, når den pakkes ud; del den i flere filer, "
            "eller gem den som CSV",
        )


def _xml(archive: zipfile.ZipFile, path: str, file: str) -> Element:
    try:
        root: Element = fromstring(archive.read(path), forbid_dtd=True)
    except KeyError as exc:
        raise _error(file, f"Excel-filen mangler {path}; gem den igen i Excel") from exc
    except (ParseError, DefusedXmlException, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _error(file, f"{path} kan ikke læses ({_reason(exc)})") from exc
    return root


def _first_sheet(archive: zipfile.ZipFile, file: str) -> tuple[str, str]:
    workbook = _xml(archive, "xl/workbook.xml", file)
    sheet = next((e for e in workbook.iter() if _local(e.tag) == "sheet"), None)
    if sheet is None:
        raise _error(file, "Excel-filen har ingen ark")
    name = sheet.get("name") or "Ark1"
    relationship = sheet.get(_RELATIONSHIP_ID) or sheet.get(_STRICT_RELATIONSHIP_ID)
    relations = _xml(archive, "xl/_rels/workbook.xml.rels", file)
    for relation in relations.iter():
        if _local(relation.tag) == "Relationship" and relation.get("Id") == relationship:
            target = relation.get("Target") or ""
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return name, posixpath.normpath(path)
    raise _error(file, f"arket »{name}« findes ikke i Excel-filen; gem den igen i Excel")


def _shared_strings(archive: zipfile.ZipFile, file: str) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    root = _xml(archive, "xl/sharedStrings.xml", file)
    return [_text_of(item) for item in root if _local(item.tag) == "si"]


def _text_of(element: Element) -> str:
    """The text of a string item: its <t> runs, without phonetic guides (<rPh>)."""
    parts: list[str] = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _rows(
    source: IO[bytes], strings: list[str], limits: ExcelLimits, file: str, where: str
) -> Iterator[tuple[int, list[str]]]:
    cells_seen = 0
    previous_row = 0
    for _, element in iterparse(source, events=("end",), forbid_dtd=True):
        if _local(element.tag) != "row":
            continue
        number = _row_number(element.get("r"), previous_row)
        previous_row = number
        cells: list[str] = []
        for cell in element:
            if _local(cell.tag) != "c":
                continue
            cells_seen += 1
            if cells_seen > limits.max_cells:
                raise _SheetError(
                    f"arket har over {limits.max_cells:,} celler; del det i flere filer",
                    number,
                )
            column = _column_index(cell.get("r"), len(cells), number)
            cells.extend([""] * (column - len(cells)))
            cells.append(_cell_value(cell, strings, number))
        element.clear()  # rows are read once: keep memory flat on large sheets
        yield number, cells


def _row_number(reference: str | None, previous: int) -> int:
    if reference is None:
        return previous + 1
    if not reference.isdigit() or not 0 < int(reference) <= 1_048_576:
        raise _SheetError(f"rækkenummeret »{reference[:20]}« er ugyldigt", previous + 1)
    return int(reference)


def _column_index(reference: str | None, next_index: int, row: int) -> int:
    if reference is None:
        return next_index
    match = _CELL_REFERENCE.match(reference)
    if match is None:
        raise _SheetError(f"cellereferencen »{reference[:20]}« er ugyldig", row)
    index = 0
    for letter in match.group(1):
        index = index * 26 + ord(letter) - ord("A") + 1
    if index > 16_384 or index - 1 < next_index:
        raise _SheetError(f"cellereferencen »{reference[:20]}« er ugyldig", row)
    return index - 1


def _cell_value(cell: Element, strings: list[str], row: int) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = next((e for e in cell if _local(e.tag) == "is"), None)
        return "" if inline is None else _text_of(inline)
    value = next((e.text or "" for e in cell if _local(e.tag) == "v"), "")
    if kind == "s":
        if not value.isdigit() or int(value) >= len(strings):
            raise _SheetError(f"cellen {cell.get('r', '')} peger på en tekst, der mangler", row)
        return strings[int(value)]
    if kind == "b":
        return "SAND" if value == "1" else "FALSK"
    if kind == "n" and value:
        return _number_text(value, cell.get("r", ""), row)
    return value  # "str" (a formula's text), "e" (an error such as #N/A), "d" (ISO date)


def _number_text(value: str, reference: str, row: int) -> str:
    try:
        number = float(value)
    except ValueError as exc:
        raise _SheetError(
            f"cellen {reference} skulle være et tal, men er »{value[:20]}«", row
        ) from exc
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _local(tag: object) -> str:
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]
