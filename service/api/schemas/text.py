"""Text as it enters through the API: NFC, no bidi controls, and NUL refused in plain Danish."""

from __future__ import annotations

from pydantic import BeforeValidator

from indexer.records import NUL_MESSAGE, clean_text


def _clean(value: object) -> object:
    if not isinstance(value, str):
        return value  # pydantic's own type check answers
    if "\x00" in value:
        raise ValueError(NUL_MESSAGE)
    return clean_text(value)


# Put last in an Annotated string type (after StringConstraints, which an earlier validator
# would cancel); it still runs before the length and pattern checks.
Clean = BeforeValidator(_clean)
