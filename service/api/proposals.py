"""Pairing proposals kept for download: for a while, never past an erasure, deletable."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict

from engine.pairing import PairingProposal

KEPT_PROPOSALS = 20


class ProposalShelf:
    """The newest proposals by id; each expires `ttl_seconds` after it was made."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._kept: OrderedDict[str, tuple[float, PairingProposal]] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, proposal_id: str, proposal: PairingProposal) -> None:
        with self._lock:
            self._expire()
            self._kept[proposal_id] = (self._clock(), proposal)
            while len(self._kept) > KEPT_PROPOSALS:
                self._kept.popitem(last=False)

    def get(self, proposal_id: str) -> PairingProposal | None:
        with self._lock:
            self._expire()
            kept = self._kept.get(proposal_id)
            return None if kept is None else kept[1]

    def delete(self, proposal_id: str) -> bool:
        with self._lock:
            return self._kept.pop(proposal_id, None) is not None

    def forget_naming(self, *texts: str) -> int:
        """Drop every proposal that holds any of these texts (an erased person's name, e-mail)."""
        needles = [t.casefold() for t in texts if t.strip()]
        with self._lock:
            naming = [
                proposal_id
                for proposal_id, (_, proposal) in self._kept.items()
                if any(n in _text_of(proposal) for n in needles)
            ]
            for proposal_id in naming:
                del self._kept[proposal_id]
            return len(naming)

    def _expire(self) -> None:
        oldest_kept = self._clock() - self.ttl_seconds
        for proposal_id in [i for i, (made, _) in self._kept.items() if made < oldest_kept]:
            del self._kept[proposal_id]


def _text_of(proposal: PairingProposal) -> str:
    shown = {"pairs": [asdict(p) for p in proposal.pairs], "unmatched": proposal.unmatched}
    return json.dumps(shown, ensure_ascii=False, default=str).casefold()
