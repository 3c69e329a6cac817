"""What the registration API and pages share: who is registering, in which season, the form's
values as a participant row and back, and asking for a personal link by e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from fastapi import Request

from engine.season import SeasonError
from service.api.deps import get_state
from service.api.schemas.registration import HostRegistration, InternRegistration
from service.auth.session import USER_KEY
from service.mail.letters import render_message
from service.season.book import Season
from service.season.registration import Registrant, token_hash

LINK_SESSION_KEY = "tilmelding"  # in the session cookie: the hash of the link that opened it
LINK_PATH = "/praktik/tilmelding/adgang"
LINK_ANSWER = (
    "Tak. Hvis adressen kan bruges, får du om lidt en mail med dit personlige link. Linket er "
    "kun til dig: det bekræfter din adresse og lader dig tilmelde dig og rette din tilmelding "
    "indtil fristen. Kommer der ingen mail, så se i uønsket post, eller prøv igen om en time."
)
NO_SEASON = "Der er ingen sæson med tilmelding lige nu. Prøv igen, når koordinatoren har åbnet den."
SIGN_IN_OR_LINK = (
    "Log ind, eller bed om et personligt link til din arbejdsmail for at tilmelde dig "
    "(/praktik/tilmelding)."
)
Model = HostRegistration | InternRegistration
M = TypeVar("M", HostRegistration, InternRegistration)
LIST_FIELDS = ("durations", "wished_hosts", "excluded_hosts")


def registrant_of(request: Request) -> Registrant | None:
    """The signed-in user (or key), else the person a personal link confirmed in this session."""
    user = request.scope.get(USER_KEY)
    if user is not None:
        return Registrant.signed_in(user.subject, user.name, user.email)
    hashed = request.scope.get("session", {}).get(LINK_SESSION_KEY)
    if not isinstance(hashed, str):
        return None
    return get_state(request).registrations.by_link(hashed)


def open_link(request: Request, token: str) -> Registrant | None:
    """A personal link followed: the session remembers it (by hash) for the forms after."""
    hashed = token_hash(token)
    registrant = get_state(request).registrations.by_link(hashed)
    if registrant is not None:
        request.session[LINK_SESSION_KEY] = hashed
    return registrant


def season_for(request: Request, registrant: Registrant | None) -> Season:
    """A link's own season, else the current one (SeasonError when there is none)."""
    seasons = get_state(request).seasons
    if registrant is not None and registrant.season_id is not None:
        return seasons.get(registrant.season_id)
    season = seasons.current()
    if season is None:
        raise SeasonError(NO_SEASON)
    return season


def row_of(model: Model) -> dict[str, str]:
    """The form's values as hosts.csv / interns.csv hold them (lists joined with ';')."""
    row: dict[str, str] = {}
    for key, value in model.model_dump().items():
        row[key] = ";".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return row


def model_of(cls: type[M], row: dict[str, str]) -> M:
    """A stored row as the form's model (lists split again)."""
    values: dict[str, Any] = {k: v for k, v in row.items() if k in cls.model_fields}
    for key in LIST_FIELDS:
        if key in values:
            values[key] = [v for v in values[key].split(";") if v]
    return cls.model_validate(values)


def request_link(request: Request, season: Season, email: str) -> None:
    """Queue a personal link to `email` unless that address was sent too many lately; the
    caller answers LINK_ANSWER either way. (The client's own limit is checked by the caller.)"""
    state = get_state(request)
    email = email.strip().lower()
    throttle = request.app.state.auth.throttle
    if throttle.attempt("registration_mail", email) is not None:
        return
    valid_for = dt.timedelta(days=state.settings.registration_link_days)
    token = state.registrations.grant_link(season.id, email, valid_for)
    base = (state.settings.public_url or str(request.base_url)).rstrip("/")
    context = {
        "season_name": season.name,
        "name": None,
        "role_label": "praktikvært eller praktikant",
        "deadline": season.dates.registration_deadline,
        "link": f"{base}{LINK_PATH}?token={token}",
    }
    message = render_message(
        email, "registration_link", context, name="registration_link", season_id=season.id
    )
    state.outbox.add([message])
