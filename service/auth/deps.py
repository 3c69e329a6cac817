"""FastAPI dependencies: the current user, and guards that refuse in Danish (401 or 403)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.auth.roles import Role, User

SIGN_IN_NEEDED = "Det kræver, at du er logget ind (eller sender en API-nøgle)."
_bearer = HTTPBearer(auto_error=False, description="En API-nøgle med en rolle")


def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User | None:
    """The user of the session cookie, else the API key's client, else None (anonymous)."""
    session: dict[str, Any] | None = request.scope.get("session")
    if session and isinstance(session.get("user"), dict):
        data = session["user"]
        return User(
            subject=str(data["sub"]),
            name=str(data.get("name") or data["sub"]),
            email=data.get("email"),
            role=Role(data["role"]),
            units=frozenset(data.get("units", ())),
        )
    if credentials is not None:
        configured = request.app.state.tvaers.settings.api_key
        if configured is not None and secrets.compare_digest(
            credentials.credentials.encode(), configured.get_secret_value().encode()
        ):
            return User(subject="api-key", name="API-nøgle", role=Role.admin, via="api_key")
    return None


CurrentUser = Annotated[User | None, Depends(current_user)]


def require_role(role: Role) -> Callable[[User | None], User]:
    """A dependency that lets through users with at least `role`."""

    def guard(user: CurrentUser) -> User:
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, SIGN_IN_NEEDED, headers={"WWW-Authenticate": "Bearer"}
            )
        if not user.has(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"Det kræver rollen {role.label}; du har rollen {user.role.label}.",
            )
        return user

    return guard


SignedInUser = Annotated[User, Depends(require_role(Role.reader))]
