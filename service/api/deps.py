"""Dependencies shared by the routes: the service state and the API key for writes."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.state import ServiceState

NO_KEY_MESSAGE = (
    "Skrivning er slået fra, fordi der ikke er sat en API-nøgle på serveren "
    "(miljøvariablen TVAERS_API_KEY). Søgning og opslag virker stadig."
)
BAD_KEY_MESSAGE = "Skrivning kræver en gyldig API-nøgle i headeren 'Authorization: Bearer …'."

_bearer = HTTPBearer(auto_error=False, description="API-nøglen fra TVAERS_API_KEY")


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.tvaers
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def require_key(
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Writes need the configured key, compared in constant time; with no key, writes are off."""
    configured = state.settings.api_key
    if configured is None or not state.settings.writes_enabled:
        raise HTTPException(status.HTTP_403_FORBIDDEN, NO_KEY_MESSAGE)
    given = credentials.credentials if credentials is not None else ""
    if not secrets.compare_digest(given.encode(), configured.get_secret_value().encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, BAD_KEY_MESSAGE, headers={"WWW-Authenticate": "Bearer"}
        )


WriteAccess = Depends(require_key)
