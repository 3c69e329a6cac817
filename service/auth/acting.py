"""Acting as another role on a laptop's local sign-in, to see what that role sees.

The local administrator may look at tvaers as an anonymous reader, an employee (reader), the
editor of one chosen unit, or a coordinator; every page then says so in a banner with a way back.
The choice lives in the signed session cookie and is honoured only for the local administrator's
session in a process that offers local sign-in (never with an OpenID provider, where
`AuthState.local` is None), so it can only narrow what that one person sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.auth.roles import Role, User
from service.auth.sessions import Identity

ACT_AS_KEY = "act_as"  # in the signed cookie: {"choice": ..., "unit": ..., "unit_name": ...}
ACTING_KEY = "tvaers.acting"  # in the request's scope: this request's ActingAs, or None
LOCAL_SUBJECT = "lokal"
# What the local administrator may look through, in the order the page offers them.
CHOICES: dict[str, str] = {
    "anonymous": "anonym læser (ikke logget ind)",
    "reader": "medarbejder (læser)",
    "unit_editor": "enhedsredaktør for en enhed",
    "coordinator": "koordinator",
    "admin": "lokal administrator (dig selv)",
}


def is_local_identity(identity: Identity) -> bool:
    """The one-time link's administrator: no issuer (no provider) and the local subject."""
    return identity.issuer == "" and identity.subject == LOCAL_SUBJECT


@dataclass(frozen=True)
class ActingAs:
    choice: str  # a key of CHOICES other than "admin"
    unit_id: str | None = None
    unit_name: str | None = None

    @property
    def label(self) -> str:
        if self.choice == "unit_editor":
            return f"enhedsredaktør for {self.unit_name or self.unit_id} ({self.unit_id})"
        return CHOICES[self.choice]

    def user(self, real: User) -> User | None:
        """The user requests act as: None for an anonymous reader."""
        if self.choice == "anonymous":
            return None
        units = frozenset({self.unit_id}) if self.unit_id else frozenset[str]()
        return User(
            subject=real.subject,
            name=real.name,
            role=Role(self.choice),
            email=real.email,
            units=units,
        )

    def stored(self) -> dict[str, Any]:
        return {"choice": self.choice, "unit": self.unit_id, "unit_name": self.unit_name}


def acting_in(session: dict[str, Any]) -> ActingAs | None:
    """The role chosen in this session, if any (anything malformed counts as none)."""
    raw = session.get(ACT_AS_KEY)
    if not isinstance(raw, dict):
        return None
    choice = raw.get("choice")
    if choice not in CHOICES or choice == "admin":
        return None
    if choice != "unit_editor":
        return ActingAs(choice)
    unit, name = raw.get("unit"), raw.get("unit_name")
    if not isinstance(unit, str) or not unit:
        return None
    return ActingAs(choice, unit, name if isinstance(name, str) else None)
