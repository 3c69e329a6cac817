"""FastAPI dependencies: the current user, and guards that refuse in Danish (401 or 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.auth.roles import Role, User
from service.auth.session import (
    BAD_KEY_KEY,
    BAD_KEY_MESSAGE,
    EXPIRED_KEY,
    EXPIRED_MESSAGE,
    USER_KEY,
)

SIGN_IN_NEEDED = "Det kræver, at du er logget ind (eller sender en API-nøgle)."
_bearer = HTTPBearer(auto_error=False, description="En API-nøgle fra `tvaers keys create`")


def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User | None:
    """The session's user, else the API key's client, else None (anonymous).

    AuthMiddleware works it out once per request (`credentials` is here for the OpenAPI page)."""
    user: User | None = request.scope.get(USER_KEY)
    return user


CurrentUser = Annotated[User | None, Depends(current_user)]


def _sign_in_needed(request: Request) -> HTTPException:
    message = SIGN_IN_NEEDED
    if request.scope.get(BAD_KEY_KEY):
        message = BAD_KEY_MESSAGE
    elif request.scope.get(EXPIRED_KEY):
        message = EXPIRED_MESSAGE
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


def require_role(role: Role) -> Callable[[Request, User | None], User]:
    """A dependency that lets through users with at least `role`."""

    def guard(request: Request, user: CurrentUser) -> User:
        if user is None:
            raise _sign_in_needed(request)
        if not user.has(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"Det kræver rollen {role.label}; du har rollen {user.role.label}.",
            )
        return user

    return guard


def check_can_edit(user: User, unit_id: str) -> None:
    """403 unless the user may edit this unit (admins: every unit)."""
    if not user.can_edit(unit_id):
        if user.has(Role.unit_editor):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"Du må ikke rette enheden '{unit_id}': du er ikke redaktør for den. "
                "Bed en administrator om at give dig adgang.",
            )
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"Det kræver rollen {Role.unit_editor.label}; du har rollen {user.role.label}.",
        )


def require_unit_editor(request: Request, unit_id: str, user: CurrentUser) -> User:
    """For routes with a `unit_id` path parameter: the user may edit that unit."""
    if user is None:
        raise _sign_in_needed(request)
    check_can_edit(user, unit_id)
    return user


SignedInUser = Annotated[User, Depends(require_role(Role.reader))]
Writer = Annotated[User, Depends(require_role(Role.unit_editor))]
Coordinator = Annotated[User, Depends(require_role(Role.coordinator))]
Admin = Annotated[User, Depends(require_role(Role.admin))]
UnitEditor = Annotated[User, Depends(require_unit_editor)]
