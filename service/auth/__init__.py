"""Who is asking and what they may do: roles, the current user, and the guards routes use.

Routes depend on `CurrentUser` (None when nobody signed in), `require_role(Role.X)` and
`require_unit_editor`; nothing else in the service reads sessions or keys.
"""

from __future__ import annotations

from service.auth.deps import CurrentUser, SignedInUser, current_user, require_role
from service.auth.roles import Role, User

__all__ = ["CurrentUser", "Role", "SignedInUser", "User", "current_user", "require_role"]
