"""Who is asking and what they may do: roles, the current user, and the guards routes use.

Routes depend on `CurrentUser` (None when nobody signed in), `require_role(Role.X)`,
`require_unit_editor` (a `unit_id` path parameter) or `check_can_edit(user, unit_id)`; forms
carry `csrf_token(request)` and are checked with `check_csrf` (or `verify_csrf`). Nothing else in
the service reads sessions or keys.
"""

from __future__ import annotations

from service.auth.deps import (
    Admin,
    Coordinator,
    CurrentUser,
    SignedInUser,
    UnitEditor,
    Writer,
    check_can_edit,
    current_user,
    require_role,
    require_unit_editor,
)
from service.auth.roles import Role, User
from service.auth.session import CSRF_FIELD, check_csrf, csrf_token, verify_csrf

__all__ = [
    "CSRF_FIELD",
    "Admin",
    "Coordinator",
    "CurrentUser",
    "Role",
    "SignedInUser",
    "UnitEditor",
    "User",
    "Writer",
    "check_can_edit",
    "check_csrf",
    "csrf_token",
    "current_user",
    "require_role",
    "require_unit_editor",
    "verify_csrf",
]
