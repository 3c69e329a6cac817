"""Time as tvaers stores it: naive UTC to the second (every database keeps it the same way),
and the Clock type that classes take so tests can move time instead of waiting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
