"""The fit of every intern–host pair, and which pairs the hard rules allow at all.

Fit = semantic weight × semantic fit + wished-host bonus by rank + cross-sector bonus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from engine.pairing.loading import Host, Intern, organisation_key
from indexer.embedders import Embedder

HUB_MIN_INTERNS = 10


@dataclass(frozen=True)
class PairingWeights:
    """How much each part of the fit counts. Defaults were tuned on the sample week.

    The semantic fit is the cosine between the intern's wish and the host's offer, standardised
    (see `standardised`): embedding cosines sit in a narrow band (0.78–0.94 for the default
    model), so on the raw scale any bonus would drown the meaning. One unit is one standard
    deviation: a clearly best host sits 2–4 units above an average one.

    semantic: weight of the semantic fit (1.0).
    wished_host_bonus: bonus for the intern's own wished hosts by rank, first wish first
        (1.0, 0.7, 0.5); wishes beyond the tuple's length get its last value. About one
        standard deviation: a wish tips close calls but does not override a clearly better fit
        (some interns wish a host that fits them worse than one they did not know of).
    cross_sector_bonus: bonus when intern and host are in different sectors (0.1); small by
        default, so crossing follows the content (28 % crossed in the week the seeds describe,
        about 30 % in the proposal for the sample week); raise it (0.5–1.0) for more crossing.
    """

    semantic: float = 1.0
    wished_host_bonus: tuple[float, ...] = (1.0, 0.7, 0.5)
    cross_sector_bonus: float = 0.1

    def wish_bonus(self, rank: int) -> float:
        """Bonus for the host at 1-based `rank` in the intern's wishes."""
        if not self.wished_host_bonus or rank < 1:
            return 0.0
        return self.wished_host_bonus[min(rank, len(self.wished_host_bonus)) - 1]


@dataclass(frozen=True)
class FitMatrix:
    """Rows are interns, columns hosts, in the order given."""

    semantic: np.ndarray  # standardised semantic fit, float64
    fit: np.ndarray  # total fit, float64
    rules: HardRules
    crossing: np.ndarray  # True where both sectors are known and differ (crossing_sectors)

    @property
    def feasible(self) -> np.ndarray:
        return self.rules.feasible


def semantic_cosines(
    interns: Sequence[Intern], hosts: Sequence[Host], embedder: Embedder
) -> np.ndarray:
    """Cosine between each wish and each offer, both embedded in the query role.

    A wish and an offer are alike: short statements of what someone wants to learn or show, so
    they are compared like with like. On the sample week this placed as many interns with their
    intended host as embedding offers as documents (74/78), with one model pass per offer
    instead of two (documents are embedded in both roles, see indexer.embedders).
    """
    wishes = embedder.embed_queries([i.wish for i in interns])
    offers = embedder.embed_queries([h.offer for h in hosts])
    cosines: np.ndarray = (
        np.asarray(wishes, dtype=np.float64) @ np.asarray(offers, dtype=np.float64).T
    )
    return cosines


def standardised(cosines: np.ndarray) -> np.ndarray:
    """Per host, then per intern: (cosine − mean) / standard deviation.

    The host step corrects "hub" offers that resemble every wish a little (long, general
    texts); the intern step makes one intern's best hosts stand out by the same scale as
    another's. Below HUB_MIN_INTERNS interns a host's spread is noise, so that step is skipped.
    """
    z = np.asarray(cosines, dtype=np.float64)
    if z.shape[0] >= HUB_MIN_INTERNS:
        z = _z(z, axis=0)
    return _z(z, axis=1) if z.shape[1] >= 2 else np.zeros_like(z)


def _z(values: np.ndarray, *, axis: int) -> np.ndarray:
    mean = values.mean(axis=axis, keepdims=True)
    std = values.std(axis=axis, keepdims=True)
    z: np.ndarray = (values - mean) / np.maximum(std, 1e-9)
    return z


@dataclass(frozen=True)
class HardRules:
    """Each hard rule as an intern × host matrix, kept apart so a refusal can be explained."""

    duration_offered: np.ndarray
    own_organisation: np.ndarray
    excluded: np.ndarray

    @cached_property
    def feasible(self) -> np.ndarray:
        allowed: np.ndarray = self.duration_offered & ~self.own_organisation & ~self.excluded
        return allowed


def hard_rules(interns: Sequence[Intern], hosts: Sequence[Host]) -> HardRules:
    """Duration offered, own organisation and exclusions, for every pair."""
    shape = (len(interns), len(hosts))
    durations = sorted({i.duration for i in interns})
    offered = {d: np.array([d in h.durations for h in hosts], dtype=bool) for d in durations}
    codes: dict[str, int] = {}
    host_orgs = np.array(
        [codes.setdefault(organisation_key(h.organisation), len(codes)) for h in hosts],
        dtype=np.int64,
    )
    intern_orgs = np.array(
        [codes.get(organisation_key(i.organisation), -1) for i in interns], dtype=np.int64
    )
    excluded = np.zeros(shape, dtype=bool)
    column = {h.id: j for j, h in enumerate(hosts)}
    for r, intern in enumerate(interns):
        for host_id in intern.excluded_hosts:
            if host_id in column:
                excluded[r, column[host_id]] = True
    return HardRules(
        duration_offered=np.array([offered[i.duration] for i in interns], dtype=bool).reshape(
            shape
        ),
        own_organisation=intern_orgs[:, None] == host_orgs[None, :],
        excluded=excluded,
    )


def feasible_pairs(interns: Sequence[Intern], hosts: Sequence[Host]) -> np.ndarray:
    """The hard rules per pair: duration offered, not own organisation, not excluded."""
    return hard_rules(interns, hosts).feasible


def fit_matrix(
    interns: Sequence[Intern],
    hosts: Sequence[Host],
    cosines: np.ndarray,
    weights: PairingWeights,
) -> FitMatrix:
    """Combine semantic fit and bonuses; cheap, so re-run it freely with other weights."""
    semantic = standardised(cosines)
    fit = weights.semantic * semantic
    crossing = crossing_sectors(interns, hosts)
    fit = fit + weights.cross_sector_bonus * crossing
    column = {h.id: j for j, h in enumerate(hosts)}
    for r, intern in enumerate(interns):
        for rank, host_id in enumerate(intern.wished_hosts, start=1):
            if host_id in column:
                fit[r, column[host_id]] += weights.wish_bonus(rank)
    return FitMatrix(semantic, fit, hard_rules(interns, hosts), crossing)


def crossing_sectors(interns: Sequence[Intern], hosts: Sequence[Host]) -> np.ndarray:
    """True where both sectors are known and differ."""
    host_sectors = np.array([h.sector for h in hosts], dtype=object)
    intern_sectors = np.array([i.sector for i in interns], dtype=object)
    known = (host_sectors[None, :] != "") & (intern_sectors[:, None] != "")
    crossing: np.ndarray = known & (host_sectors[None, :] != intern_sectors[:, None])
    return crossing
