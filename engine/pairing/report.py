"""The proposal as tables a coordinator can read, sort and send on: CSV or Excel."""

from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path
from typing import Literal

import pandas as pd

from engine.pairing.propose import PairingProposal

PAIR_COLUMNS = {
    "intern_id": "praktikant_id",
    "intern_name": "praktikant",
    "intern_organisation": "praktikant_organisation",
    "intern_sector": "praktikant_sektor",
    "host_id": "vaert_id",
    "host_unit": "vaert",
    "host_organisation": "vaert_organisation",
    "host_sector": "vaert_sektor",
    "duration": "dage",
    "fit": "fit",
    "semantic": "fit_betydning",
    "host_rank": "vaertens_plads_blandt_mulige",
    "wished_rank": "oensket_nr",
    "cross_sector": "paa_tvaers",
    "locked": "laast",
    "reason": "begrundelse",
}


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
        ("Metode", s.mode),
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
    return pd.DataFrame(rows, columns=["nøgletal", "værdi"])


def places_table(proposal: PairingProposal) -> pd.DataFrame:
    return pd.DataFrame(
        sorted(proposal.stats.places_used.items()), columns=["host_id", "places_used"]
    )


def proposal_bytes(proposal: PairingProposal, file_format: Literal["csv", "xlsx"]) -> bytes:
    """CSV (the pairs, with unmatched interns as rows without a host) or Excel (four sheets)."""
    pairs = pairs_table(proposal).rename(columns=PAIR_COLUMNS)
    unmatched = unmatched_table(proposal).rename(columns=PAIR_COLUMNS)
    if file_format == "csv":
        text = pd.concat([pairs, unmatched], ignore_index=True).to_csv(index=False)
        return text.encode("utf-8")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pairs.to_excel(writer, sheet_name="Forslag", index=False)
        unmatched.to_excel(writer, sheet_name="Uden plads", index=False)
        summary_table(proposal).to_excel(writer, sheet_name="Overblik", index=False)
        places_table(proposal).rename(
            columns={"host_id": "vaert_id", "places_used": "pladser_brugt"}
        ).to_excel(writer, sheet_name="Pladser", index=False)
    return buffer.getvalue()


def write_proposal(proposal: PairingProposal, path: Path) -> Path:
    """Excel for a .xlsx path, CSV otherwise."""
    path.write_bytes(proposal_bytes(proposal, "xlsx" if path.suffix.lower() == ".xlsx" else "csv"))
    return path
