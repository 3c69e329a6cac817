"""From the provider's claims to a role and units, as the settings map groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.auth.roles import Role
from service.config import Settings


def groups_of(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The groups (or app roles) in the claim: a list, or one string of names split by spaces."""
    value = claims.get(claim)
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def role_of(groups: list[str], settings: Settings) -> Role:
    """The highest role any of the groups maps to; reader when none is mapped."""
    roles = [Role(settings.oidc_group_roles[g]) for g in groups if g in settings.oidc_group_roles]
    return max(roles, key=lambda r: r.rank, default=Role.reader)


def units_of(groups: list[str], settings: Settings) -> set[str]:
    return {u for g in groups for u in settings.oidc_group_units.get(g, ())}
