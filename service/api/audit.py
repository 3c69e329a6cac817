"""The audit log for admins: who changed what and when, old value → new value (paged)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from service.api.deps import StateDep
from service.auth import Admin

router = APIRouter(prefix="/api/audit", tags=["log"])


class AuditEntryPublic(BaseModel):
    seq: int
    at: dt.datetime
    actor_subject: str
    actor_name: str
    kind: str
    id: str
    action: str
    changes: dict[str, list[str | None]]  # field → [old, new]


class AuditPagePublic(BaseModel):
    total: int
    offset: int
    limit: int
    entries: list[AuditEntryPublic]


@router.get("", response_model=AuditPagePublic, summary="Ændringsloggen (administratorer)")
def read_audit(
    state: StateDep,
    admin: Admin,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditPagePublic:
    """Newest first. An erased person's values read "[slettet]"; the facts of the change stay."""
    entries, total = state.audit.page(offset, limit)
    return AuditPagePublic(
        total=total,
        offset=offset,
        limit=limit,
        entries=[
            AuditEntryPublic(
                seq=e.seq,
                at=e.at,
                actor_subject=e.actor_subject,
                actor_name=e.actor_name,
                kind=e.kind,
                id=e.record_id,
                action=e.action,
                changes=e.changes,
            )
            for e in entries
        ],
    )
