"""The proposal as tables a coordinator can read, sort and send on: CSV or Excel.

Names and texts come from uploads, so every exported text cell is inert: a cell that starts like
a formula is written as text (OWASP's CSV-injection rule), and Excel cells holding text are typed
as strings. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import asdict
from pathlib import Path
from typing import Literal

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

from engine.pairing.propose import PairingProposal

PAIR_COLUMNS = {
    "intern_id": "Praktikantens id",
    "intern_name": "Praktikant",
    "intern_organisation": "Praktikantens organisation",
    "intern_sector": "Praktikantens sektor",
    "host_id": "Værtens id",
    "host_unit": "Vært",
    "host_organisation": "Værtens organisation",
    "host_sector": "Værtens sektor",
    "duration": "Dage",
    "fit": "Samlet match",
    "semantic": "Match i indhold",
    "host_rank": "Værtens plads blandt de mulige",
    "wished_rank": "Praktikantens ønske nr.",
    "cross_sector": "På tværs af sektorer",
    "locked": "Låst",
    "reason": "Begrundelse",
}
UNMATCHED_COLUMNS = {
    "intern_id": "Praktikantens id",
    "intern_name": "Praktikant",
    "reason": "Hvorfor uden plads",
}
PLACES_COLUMNS = {"host_id": "Værtens id", "places_used": "Pladser brugt"}
YES_NO = {True: "ja", False: "nej"}


def pairs_table(proposal: PairingProposal) -> pd.DataFrame:
    """One row per pair, columns in English (as in the API); see `PAIR_COLUMNS` for Danish."""
    frame = pd.DataFrame([asdict(p) for p in proposal.pairs], columns=list(PAIR_COLUMNS))
    frame["wished_rank"] = frame["wished_rank"].astype("Int64")
    return frame


def unmatched_table(proposal: PairingProposal) -> pd.DataFrame:
    return pd.DataFrame(
        [asdict(u) for u in proposal.unmatched], columns=["intern_id", "intern_name", "reason"]
    )


def summary_table(proposal: PairingProposal) -> pd.DataFrame:
    """The headline figures as label/value rows, in Danish, for the Excel overview sheet."""
    s = proposal.stats
    rows = [
        ("Metode", "stabil" if s.mode == "stable" else "bedst samlet"),
        ("Praktikanter", s.interns),
        ("Værter", s.hosts),
        ("Pladser i alt", s.places),
        ("Praktikanter med plads", s.matched),
        ("Andel med plads", s.matched_share),
        ("Gennemsnitligt fit", s.mean_fit),
        ("Andel på tværs af sektorer", s.cross_sector_share),
        ("Praktikanter med ønskede værter", s.with_wishes),
        ("Fik en ønsket vært", s.got_wished_host),
        ("Låste par overholdt", s.locks_kept),
        ("Blokerende par", s.blocking_pairs),
        ("Model", proposal.model_id),
    ]
    return pd.DataFrame(rows, columns=["Nøgletal", "Værdi"])


def places_table(proposal: PairingProposal) -> pd.DataFrame:
    return pd.DataFrame(
        sorted(proposal.stats.places_used.items()), columns=["host_id", "places_used"]
    )


# What Excel, LibreOffice and Google Sheets read as the start of a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel in Danish splits CSV on ";", in English on ",": a formula may start after either.
_AFTER_SEPARATOR = re.compile(r"([,;])(?=[=+\-@\t\r])")


def inert_text(text: str) -> str:
    """A quote before every formula start, at the beginning and after any `,` or `;`, makes a
    spreadsheet show the text instead of running it, whichever separator it splits on."""
    text = _AFTER_SEPARATOR.sub(r"\1'", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def proposal_bytes(proposal: PairingProposal, file_format: Literal["csv", "xlsx"]) -> bytes:
    """CSV (the pairs, with unmatched interns as rows without a host) or Excel (four sheets)."""
    pairs = pairs_table(proposal)
    for column in ("cross_sector", "locked"):
        pairs[column] = pairs[column].map(YES_NO)
    pairs = pairs.rename(columns=PAIR_COLUMNS)
    if file_format == "csv":
        without_host = unmatched_table(proposal).rename(columns=PAIR_COLUMNS)
        both = pd.concat([pairs, without_host], ignore_index=True)
        inert = both.map(lambda v: inert_text(v) if isinstance(v, str) else v)
        # Every field quoted, so "," and ";" readers alike see one cell; CRLF rows (RFC 4180).
        text = inert.to_csv(index=False, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        return text.encode("utf-8")
    places = places_table(proposal).rename(columns=PLACES_COLUMNS)
    sheets = {
        "Forslag": pairs,
        "Uden plads": unmatched_table(proposal).rename(columns=UNMATCHED_COLUMNS),
        "Overblik": summary_table(proposal),
        "Pladser": places,
    }
    return _excel_bytes(sheets)


def _excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Written cell by cell: pandas would turn a text starting with "=" into a live formula."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # the blank default sheet
    for title, frame in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append([_text_cell(sheet, str(c)) for c in frame.columns])
        for values in frame.itertuples(index=False):
            sheet.append([_excel_value(sheet, v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_value(sheet: Worksheet, value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, bool | int | float):
        return value
    return _text_cell(sheet, str(value))


def _text_cell(sheet: Worksheet, text: str) -> Cell:
    cell = Cell(sheet)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"  # never "f", whatever the text starts with
    cell.quotePrefix = text.startswith(FORMULA_STARTS)  # and stays text when edited in Excel
    return cell


def write_proposal(proposal: PairingProposal, path: Path) -> Path:
    """Excel for a .xlsx path, CSV otherwise."""
    path.write_bytes(proposal_bytes(proposal, "xlsx" if path.suffix.lower() == ".xlsx" else "csv"))
    return path
