"""Contact details fail closed: anonymous readers see only the public extra columns.

The named contact fields (e-mail, phone) and every extra column not in the allow-list
(`TVAERS_PUBLIC_FIELDS`) are shown only to someone signed in or sending an API key, so a column
someone adds later (`mobil`, `privat_email`) is hidden until an admin lists it as public.
AuthMiddleware sets, per request, what may be shown; the functions that turn records and hits into
answers (service/api/convert.py, hits.py) leave the rest out, so pages and API alike do. Outside a
request (CLI, exports) everything is shown."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar

CONTACT_FIELDS = frozenset({"contact_email", "email", "phone", "telefon", "tlf", "contact_phone"})
HIDDEN_HINT = "Log ind for at se kontaktoplysninger."

_visible: ContextVar[bool] = ContextVar("tvaers_contact_visible", default=True)
_public: ContextVar[frozenset[str]] = ContextVar("tvaers_public_fields", default=frozenset())


def contact_visible() -> bool:
    return _visible.get()


def set_contact_visible(visible: bool, public: frozenset[str] = frozenset()) -> object:
    """For one request: whether everything may be shown, else only these extra columns."""
    _public.set(frozenset(f.lower() for f in public))
    return _visible.set(visible)


def reset_contact_visible(token: object) -> None:
    _visible.reset(token)  # type: ignore[arg-type]


def shown(value: str) -> str:
    """The value when contact details may be shown, else ""."""
    return value if _visible.get() else ""


def without_contact(fields: Mapping[str, str]) -> dict[str, str]:
    """Extra columns: all of them when contact details may be shown, else only the public ones
    (never a named contact field, whatever the allow-list says)."""
    if _visible.get():
        return dict(fields)
    public = _public.get() - CONTACT_FIELDS
    return {k: v for k, v in fields.items() if k.lower() in public}
