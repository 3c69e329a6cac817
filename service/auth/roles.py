"""Roles and the user a request acts as: what each may do lives here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    """Ordered: each role may do what the ones before it may."""

    reader = "reader"
    unit_editor = "unit_editor"
    coordinator = "coordinator"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def label(self) -> str:
        """The role's Danish name on the page."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.reader: "læser",
    Role.unit_editor: "enhedsredaktør",
    Role.coordinator: "koordinator",
    Role.admin: "administrator",
}


@dataclass(frozen=True)
class User:
    """A signed-in person (via="session") or a machine client's API key (via="api_key")."""

    subject: str
    name: str
    role: Role
    email: str | None = None
    units: frozenset[str] = field(default_factory=frozenset)  # the units this user edits
    via: Literal["session", "api_key"] = "session"

    def has(self, role: Role) -> bool:
        return self.role.rank >= role.rank

    def can_edit(self, unit_id: str) -> bool:
        """Admins edit every unit; unit editors (and coordinators) the units they are listed for."""
        if self.role is Role.admin:
            return True
        return self.has(Role.unit_editor) and unit_id in self.units
