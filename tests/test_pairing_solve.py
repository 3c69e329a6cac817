"""The solvers against the truth: brute force for `optimal`, blocking pairs for `stable`."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine.pairing import MODES, Intern, propose_pairings
from engine.pairing.solve import blocking_pairs, solve_optimal, solve_stable
from tests.fakes import FakeEmbedder


def _random_instance(
    seed: int, n: int, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, int]]:
    rng = np.random.default_rng(seed)
    fit = rng.normal(size=(n, m)).round(2)  # rounding makes ties, which must be handled
    feasible = rng.random((n, m)) < 0.6
    capacity = rng.integers(1, 4, size=m)
    locked: dict[int, int] = {}
    load = np.zeros(m, dtype=int)
    for r in range(n):
        candidates = [j for j in range(m) if feasible[r, j] and load[j] < capacity[j]]
        if candidates and rng.random() < 0.15:
            locked[r] = int(rng.choice(candidates))
            load[locked[r]] += 1
    return fit, feasible, capacity, locked


def _brute_force(
    fit: np.ndarray, feasible: np.ndarray, capacity: np.ndarray, locked: dict[int, int]
) -> tuple[int, float]:
    """Best (interns placed, total fit) over every assignment that keeps the rules."""
    n, m = fit.shape
    options = [
        [locked[r]] if r in locked else [-1, *np.flatnonzero(feasible[r]).tolist()]
        for r in range(n)
    ]
    best = (-1, -np.inf)
    for choice in itertools.product(*options):
        used = np.bincount([c for c in choice if c >= 0], minlength=m)
        if (used > capacity).any():
            continue
        score = (
            sum(c >= 0 for c in choice),
            float(sum(fit[r, c] for r, c in enumerate(choice) if c >= 0)),
        )
        if score[0] > best[0] or (score[0] == best[0] and score[1] > best[1] + 1e-9):
            best = score
    return best


def _check_rules(
    host_of: np.ndarray, feasible: np.ndarray, capacity: np.ndarray, locked: dict[int, int]
) -> None:
    for r, j in enumerate(host_of):
        if j >= 0:
            assert feasible[r, j]
    assert (np.bincount(host_of[host_of >= 0], minlength=len(capacity)) <= capacity).all()
    for r, j in locked.items():
        assert host_of[r] == j


@pytest.mark.parametrize("seed", range(60))
def test_optimal_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    fit, feasible, capacity, locked = _random_instance(seed, int(rng.integers(1, 7)), 3)
    host_of = solve_optimal(fit, feasible, capacity, locked)
    _check_rules(host_of, feasible, capacity, locked)
    placed = int((host_of >= 0).sum())
    total = float(sum(fit[r, j] for r, j in enumerate(host_of) if j >= 0))
    best_placed, best_total = _brute_force(fit, feasible, capacity, locked)
    assert placed == best_placed
    assert total == pytest.approx(best_total, abs=1e-9)


@pytest.mark.parametrize("seed", range(60))
def test_stable_has_no_blocking_pairs(seed: int) -> None:
    fit, feasible, capacity, locked = _random_instance(seed, 4 + seed % 9, 1 + seed % 5)
    host_of = solve_stable(fit, feasible, capacity, locked)
    _check_rules(host_of, feasible, capacity, locked)
    assert blocking_pairs(fit, feasible, capacity, locked, host_of) == []


def test_blocking_pairs_finds_a_swap_both_want() -> None:
    fit = np.array([[1.0, 0.0], [0.0, 1.0]])
    feasible = np.ones((2, 2), dtype=bool)
    capacity = np.array([1, 1])
    crossed = np.array([1, 0])
    assert sorted(blocking_pairs(fit, feasible, capacity, {}, crossed)) == [(0, 0), (1, 1)]
    assert blocking_pairs(fit, feasible, capacity, {}, np.array([0, 1])) == []


def test_an_unmatched_intern_blocks_with_a_host_with_room() -> None:
    fit = np.zeros((1, 1))
    host_of = np.array([-1])
    assert blocking_pairs(fit, np.ones((1, 1), bool), np.array([1]), {}, host_of) == [(0, 0)]


def test_optimal_places_as_many_as_possible_before_fit() -> None:
    # Intern 0 fits host 0 far better, but only intern 1 can go nowhere else.
    fit = np.array([[10.0, 0.0], [0.1, -5.0]])
    feasible = np.array([[True, True], [True, False]])
    host_of = solve_optimal(fit, feasible, np.array([1, 1]), {})
    assert host_of.tolist() == [1, 0]


def test_solvers_with_no_free_places_leave_free_interns_unmatched() -> None:
    fit = np.zeros((2, 1))
    feasible = np.ones((2, 1), dtype=bool)
    for solve in (solve_optimal, solve_stable):
        assert solve(fit, feasible, np.array([1]), {0: 0}).tolist() == [0, -1]


def test_a_week_with_no_hosts_leaves_every_intern_unmatched() -> None:
    interns = [
        Intern(
            id=f"i{r}",
            name=f"Person {r}",
            organisation="Faxe Kommune",
            sector="kommune",
            wish="ældrepleje og nattevagter",
            duration=2,
        )
        for r in range(3)
    ]
    for mode in MODES:
        proposal = propose_pairings([], interns, FakeEmbedder(), mode=mode)
        assert proposal.pairs == [] and proposal.blocking_pairs == []
        assert [u.intern_id for u in proposal.unmatched] == ["i0", "i1", "i2"]
        assert all(u.reason for u in proposal.unmatched)
        assert proposal.stats.matched == 0 and proposal.stats.hosts == 0
    fit = np.zeros((3, 0))
    no_hosts = np.full(3, -1)
    assert blocking_pairs(fit, fit.astype(bool), np.zeros(0, dtype=int), {}, no_hosts) == []
