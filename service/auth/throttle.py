"""Throttling per client address: failed API-key checks, sign-in starts and answers, and asking
for a personal registration link (also per e-mail address asked for).

A moving window from `limits` (in this process's memory: with several workers or replicas each
counts its own, so the real bound is the setting times their number). Over the limit the service
answers 429 with Retry-After, in Danish.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

Kind = Literal["key", "sign_in", "registration_link", "registration_mail"]


class Throttle:
    def __init__(
        self,
        key_failures: str,
        sign_ins: str,
        clock: Callable[[], float] = time.time,
        *,
        registration_links: str = "10/hour",
        registration_mails: str = "3/hour",
    ) -> None:
        self._storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._items: dict[Kind, RateLimitItem] = {
            "key": parse(key_failures),
            "sign_in": parse(sign_ins),
            "registration_link": parse(registration_links),
            "registration_mail": parse(registration_mails),
        }
        self.clock = clock

    def blocked(self, kind: Kind, client: str) -> float | None:
        """Seconds until this client may try again, or None when it may now."""
        item = self._items[kind]
        if self._limiter.test(item, kind, client):
            return None
        stats = self._limiter.get_window_stats(item, kind, client)
        return max(1.0, stats.reset_time - self.clock())

    def failed(self, kind: Kind, client: str) -> None:
        self._limiter.hit(self._items[kind], kind, client)

    def attempt(self, kind: Kind, client: str) -> float | None:
        """Count an attempt; seconds to wait when it is one too many, else None."""
        if self._limiter.hit(self._items[kind], kind, client):
            return None
        return self.blocked(kind, client) or 1.0
