"""/api/registration: hosts and interns register themselves for the current season.

Signed-in users (or keys) act as themselves; people without an account ask for a personal link
(POST /api/registration/link), whose page puts the confirmed address in their session cookie.
Writes with that cookie carry X-CSRF-Token, as every cookie write does.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status

from service.api.deps import StateDep
from service.api.schemas.registration import (
    HostChoice,
    HostChoices,
    HostRegistration,
    InternRegistration,
    LinkAnswer,
    LinkRequest,
    RegistrationsPublic,
)
from service.api.state import ServiceState
from service.auth.session import API_CSRF_MESSAGE, CSRF_FIELD, SAFE_METHODS, THROTTLED_MESSAGE
from service.season.book import Season
from service.season.labels import PHASE_LABELS
from service.season.registrants import (
    LINK_ANSWER,
    SIGN_IN_OR_LINK,
    model_of,
    registrant_of,
    request_link,
    row_of,
    season_for,
)
from service.season.registration import (
    MAX_HOST_CHOICES,
    OPEN_PHASE,
    Registrant,
    RegistrationClosedError,
    Role,
    registration_closed_message,
)

router = APIRouter(prefix="/api/registration", tags=["praktik"])


def require_registrant(request: Request) -> Registrant:
    registrant = registrant_of(request)
    if registrant is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, SIGN_IN_OR_LINK)
    if registrant.owner.startswith("mail:") and request.method not in SAFE_METHODS:
        expected = request.session.get(CSRF_FIELD)
        given = request.headers.get("x-csrf-token", "")
        if not (
            isinstance(expected, str) and secrets.compare_digest(given.encode(), expected.encode())
        ):
            raise HTTPException(status.HTTP_403_FORBIDDEN, API_CSRF_MESSAGE)
    return registrant


RegistrantDep = Annotated[Registrant, Depends(require_registrant)]


@router.get("", response_model=RegistrationsPublic, summary="Mine tilmeldinger i sæsonen")
def my_registrations(
    request: Request, state: StateDep, registrant: RegistrantDep
) -> RegistrationsPublic:
    return registrations_public(request, state, registrant, season_for(request, registrant))


@router.put("/host", response_model=RegistrationsPublic, summary="Tilmeld eller ret som vært")
def register_host(
    body: HostRegistration, request: Request, state: StateDep, registrant: RegistrantDep
) -> RegistrationsPublic:
    return _save(request, state, registrant, "host", row_of(body))


@router.put(
    "/intern", response_model=RegistrationsPublic, summary="Tilmeld eller ret som praktikant"
)
def register_intern(
    body: InternRegistration, request: Request, state: StateDep, registrant: RegistrantDep
) -> RegistrationsPublic:
    return _save(request, state, registrant, "intern", row_of(body))


@router.delete("/{role}", response_model=RegistrationsPublic, summary="Træk en tilmelding")
def withdraw(
    role: Literal["host", "intern"], request: Request, state: StateDep, registrant: RegistrantDep
) -> RegistrationsPublic:
    season = season_for(request, registrant)
    try:
        gone = state.registrations.withdraw(season.id, registrant, role)
    except RegistrationClosedError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    if not gone:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Du har ingen tilmelding af den slags.")
    return registrations_public(request, state, registrant, season)


@router.get("/hosts", response_model=HostChoices, summary="Sæsonens værter, mens der skrives")
def host_choices(
    request: Request,
    state: StateDep,
    registrant: RegistrantDep,
    q: Annotated[str, Query(max_length=100, description="De første bogstaver")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_HOST_CHOICES)] = 8,
) -> HostChoices:
    """Hosts whose unit or organisation has words starting like every typed word (no contact
    details: interns pick from them)."""
    season = season_for(request, registrant)
    found = state.registrations.host_choices(season.id, q, limit)
    data = [
        HostChoice(
            id=h["id"],
            unit_name=h.get("unit_name", ""),
            organisation=h.get("organisation", ""),
            sector=h.get("sector", ""),
            durations=sorted(
                int(d) for d in h.get("durations", "").replace(",", ";").split(";") if d.isdigit()
            ),
        )
        for h in found
    ]
    return HostChoices(data=data, count=len(data))


@router.post(
    "/link",
    response_model=LinkAnswer,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Bed om et personligt link til tilmelding",
)
def ask_for_link(body: LinkRequest, request: Request) -> LinkAnswer:
    """The answer is the same whether the address is known or not."""
    client = request.client.host if request.client else ""
    wait = request.app.state.auth.throttle.attempt("registration_link", client)
    if wait is not None:
        seconds = max(1, int(wait))
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            THROTTLED_MESSAGE.format(seconds=seconds),
            headers={"Retry-After": str(seconds)},
        )
    request_link(request, season_for(request, None), body.email)
    return LinkAnswer(detail=LINK_ANSWER)


def _save(
    request: Request, state: ServiceState, registrant: Registrant, role: Role, row: dict[str, str]
) -> RegistrationsPublic:
    season = season_for(request, registrant)
    if role == "intern" and registrant.owner.startswith("mail:") and registrant.email:
        row["email"] = registrant.email  # the address the link confirmed
    try:
        state.registrations.save(season.id, registrant, role, row)
    except RegistrationClosedError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return registrations_public(request, state, registrant, season)


def registrations_public(
    request: Request, state: ServiceState, registrant: Registrant, season: Season
) -> RegistrationsPublic:
    mine = state.registrations.mine(season.id, registrant)
    host, intern = mine.get("host"), mine.get("intern")
    is_open = season.phase == OPEN_PHASE
    return RegistrationsPublic(
        season_id=season.id,
        season_name=season.name,
        phase=season.phase,
        phase_label=PHASE_LABELS[season.phase],
        registration_deadline=season.dates.registration_deadline.isoformat(),
        open=is_open,
        closed_because=None if is_open else registration_closed_message(season),
        email=registrant.email if registrant.owner.startswith("mail:") else None,
        host=model_of(HostRegistration, host.values) if host else None,
        host_id=host.id if host else None,
        intern=model_of(InternRegistration, intern.values) if intern else None,
        intern_id=intern.id if intern else None,
    )
