"""Dependencies shared by the routes: the service state and who may write."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.api.state import ServiceState
from service.auth import Role, User, require_role


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.tvaers
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]

Writer = Annotated[User, Depends(require_role(Role.unit_editor))]
"""A user or API key that may write at all; each write then checks the record's unit."""
