"""Admins list a person's sign-in sessions and end them (GET/DELETE /api/sessions)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, Field

from service.auth.deps import Admin
from service.auth.sessions import SessionRow
from service.auth.state import AuthState

router = APIRouter(prefix="/api/sessions", tags=["adgang"])


def _auth(request: Request) -> AuthState:
    auth: AuthState = request.app.state.auth
    return auth


AuthDep = Annotated[AuthState, Depends(_auth)]
Subject = Annotated[str, Query(min_length=1, max_length=320, description="Brugerens subject")]


class SessionPublic(BaseModel):
    id: str = Field(description="Sessionens id (en hash; cookien kan ikke udledes af den)")
    subject: str
    name: str
    role: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime


class SessionsEnded(BaseModel):
    ended: int


def _public(row: SessionRow) -> SessionPublic:
    return SessionPublic(
        id=row.id,
        subject=row.identity.subject,
        name=row.identity.name,
        role=row.identity.role.value,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
    )


@router.get("", response_model=list[SessionPublic], summary="En brugers aktive sessioner")
def list_sessions(auth: AuthDep, _: Admin, subject: Subject) -> list[SessionPublic]:
    return [_public(r) for r in auth.sessions.of_subject(subject)]


@router.delete("", response_model=SessionsEnded, summary="Log en bruger ud alle steder")
def end_sessions(auth: AuthDep, _: Admin, subject: Subject) -> SessionsEnded:
    return SessionsEnded(ended=auth.sessions.end_all_of(subject))


@router.delete("/{session_id}", response_model=SessionsEnded, summary="Afslut én session")
def end_one_session(auth: AuthDep, _: Admin, session_id: str) -> SessionsEnded:
    if not auth.sessions.end(session_id):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"Der er ingen aktiv session med id '{session_id}' (se GET /api/sessions).",
        )
    return SessionsEnded(ended=1)
