"""The week from uploads or JSON, the proposal, and its files (shared by the API and the page).

Uploads arrive as bytes: they are read with `read_table_bytes` and checked by the engine's
`week_from_tables`, exactly as files on disk are.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Literal

from starlette.datastructures import UploadFile
from starlette.requests import Request

from engine.pairing import (
    PairingProposal,
    Week,
    propose_pairings,
    week_from_tables,
)
from indexer.errors import DataError, Problem
from indexer.excel import ExcelLimits
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
# A week is a few hundred rows; an upload may not unpack to more than this.
UPLOAD_EXCEL_LIMITS = ExcelLimits(max_uncompressed_bytes=20 * 1024 * 1024, max_cells=100_000)
Format = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UploadTooLargeError(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"Filen '{name}' er for stor: højst {UPLOAD_LIMIT_TEXT} pr. fil.")


@dataclass(frozen=True)
class WeekForm:
    """The week's files as a form sent them; each caller reports what is missing its own way."""

    files: dict[str, tuple[str, bytes]]  # "hosts", "interns", optionally "locks": (name, data)
    missing: list[str]  # "hosts" / "interns" sent without a file, or with an empty one
    mode: str  # as sent, not yet checked
    csrf_token: str | None = None  # the page's form carries one (service.auth checks it)


async def read_week_form(request: Request) -> WeekForm:
    """Read the uploads of POST /api/pairings and of the page; refuse a file over the limit."""
    form = await request.form(max_files=3, max_fields=5)
    files: dict[str, tuple[str, bytes]] = {}
    missing = []
    for key in ("hosts", "interns", "locks"):
        item = form.get(key)
        if isinstance(item, UploadFile):
            name = item.filename or f"{key}.csv"
            data = await item.read(MAX_UPLOAD_BYTES + 1)
            if len(data) > MAX_UPLOAD_BYTES:
                raise UploadTooLargeError(name)
            if data.strip():
                files[key] = (name, data)
                continue
        if key != "locks":
            missing.append(key)
    token = form.get("csrf_token")
    return WeekForm(
        files,
        missing,
        str(form.get("mode") or "optimal"),
        token if isinstance(token, str) else None,
    )


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
        try:
            tables[key] = read_table_bytes(data, name=name, excel_limits=UPLOAD_EXCEL_LIMITS)
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


def run_pairing(
    state: ServiceState, week: Week, mode: str, owner: str | None = None
) -> tuple[str, PairingProposal]:
    """Propose, and keep the proposal for download by `owner` (a user's subject) and admins."""
    # No lock: the pairing embedder takes the model a few texts at a time, between searches.
    proposal = propose_pairings(
        week.hosts,
        week.interns,
        state.pairing_embedder,
        locks=week.locks,
        mode="stable" if mode == "stable" else "optimal",
        weights=state.settings.pairing_weights(),
    )
    proposal_id = secrets.token_urlsafe(12)
    state.proposals.keep(proposal_id, proposal, owner)
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
