"""Contact details (e-mail, phone) are shown only to someone signed in or sending an API key.

AuthMiddleware sets, per request, whether they may be shown; the functions that turn records and
hits into answers (service/api/convert.py, hits.py) blank them otherwise, so pages and API alike
leave them out. Outside a request (CLI, exports) they are shown."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar

CONTACT_FIELDS = frozenset({"contact_email", "email", "phone", "telefon", "tlf", "contact_phone"})
HIDDEN_HINT = "Log ind for at se kontaktoplysninger."

_visible: ContextVar[bool] = ContextVar("tvaers_contact_visible", default=True)


def contact_visible() -> bool:
    return _visible.get()


def set_contact_visible(visible: bool) -> object:
    return _visible.set(visible)


def reset_contact_visible(token: object) -> None:
    _visible.reset(token)  # type: ignore[arg-type]


def shown(value: str) -> str:
    """The value when contact details may be shown, else ""."""
    return value if _visible.get() else ""


def without_contact(fields: Mapping[str, str]) -> dict[str, str]:
    """Extra columns with the contact ones left out when they may not be shown."""
    if _visible.get():
        return dict(fields)
    return {k: v for k, v in fields.items() if k.lower() not in CONTACT_FIELDS}
