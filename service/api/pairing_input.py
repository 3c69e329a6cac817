"""The week from uploads or JSON, the proposal, and its files (shared by the API and the page).

Uploads arrive as bytes: they are read with `read_table_bytes` and checked by the engine's
`week_from_tables`, exactly as files on disk are.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from typing import Literal

from engine.pairing import (
    PairingProposal,
    Week,
    propose_pairings,
    week_from_tables,
)
from indexer.errors import DataError, Problem
from indexer.records import cell_text
from indexer.tables import Row, Table, read_table_bytes
from service.api.schemas.pairing import (
    Downloads,
    PairingPublic,
    PairingRequest,
    PairingStatsPublic,
    PairPublic,
    UnmatchedPublic,
)
from service.api.state import ServiceState

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_LIMIT_TEXT = "5 MB"
Format = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UploadTooLargeError(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"Filen '{name}' er for stor: højst {UPLOAD_LIMIT_TEXT} pr. fil.")


def week_from_uploads(
    hosts: tuple[str, bytes], interns: tuple[str, bytes], locks: tuple[str, bytes] | None
) -> Week:
    """Read uploaded CSV/Excel files; every problem in every file is reported together."""
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for key, upload in (("hosts", hosts), ("interns", interns), ("locks", locks)):
        if upload is None:
            continue
        name, data = upload
        if len(data) > MAX_UPLOAD_BYTES:
            raise UploadTooLargeError(name)
        try:
            tables[key] = read_table_bytes(data, name=name or f"{key}.csv")
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return week_from_tables(tables["hosts"], tables["interns"], tables.get("locks"))


def week_from_json(request: PairingRequest) -> Week:
    """The JSON week goes through the same checks as files (row n = the n-th item)."""

    def table(name: str, items: list[dict[str, object]]) -> Table:
        rows = [
            Row(n, {k: cell_text(v) for k, v in item.items()}) for n, item in enumerate(items, 1)
        ]
        columns = list(dict.fromkeys(k for item in items for k in item))
        return Table(name, columns, rows)

    data = request.model_dump()
    locks = table("locks", data["locks"]) if data["locks"] else None
    return week_from_tables(table("hosts", data["hosts"]), table("interns", data["interns"]), locks)


def run_pairing(state: ServiceState, week: Week, mode: str) -> tuple[str, PairingProposal]:
    # The embedder also serves searches, and models are not promised to be thread-safe.
    with state.lock:
        proposal = propose_pairings(
            week.hosts,
            week.interns,
            state.pairing_embedder,
            locks=week.locks,
            mode="stable" if mode == "stable" else "optimal",
            weights=state.settings.pairing_weights(),
        )
    proposal_id = secrets.token_urlsafe(12)
    state.keep_proposal(proposal_id, proposal)
    return proposal_id, proposal


def proposal_public(proposal_id: str, proposal: PairingProposal) -> PairingPublic:
    base = f"/api/pairings/{proposal_id}/download"
    return PairingPublic(
        id=proposal_id,
        pairs=[PairPublic(**asdict(p)) for p in proposal.pairs],
        unmatched=[UnmatchedPublic(**asdict(u)) for u in proposal.unmatched],
        stats=PairingStatsPublic(**proposal.stats.as_dict()),
        blocking_pairs=list(proposal.blocking_pairs),
        model_id=proposal.model_id,
        downloads=Downloads(csv=f"{base}?format=csv", xlsx=f"{base}?format=xlsx"),
    )
