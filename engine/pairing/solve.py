"""The two solvers: the exact optimum, and a stable matching (hospitals/residents).

Both work on indices: `fit` and `feasible` are intern × host matrices, `capacity` per host,
and `locked` maps an intern index to the host index it is fixed to. Both return, per intern,
the host index or -1, and never break a hard rule: infeasible pairs are never used.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

UNMATCHED = -1


def _remaining(capacity: np.ndarray, locked: Mapping[int, int]) -> np.ndarray:
    remaining = np.asarray(capacity, dtype=np.int64).copy()
    for host in locked.values():
        remaining[host] -= 1
    return np.maximum(remaining, 0)


def _start(n_interns: int, locked: Mapping[int, int]) -> np.ndarray:
    host_of = np.full(n_interns, UNMATCHED, dtype=np.int64)
    for intern, host in locked.items():
        host_of[intern] = host
    return host_of


def solve_optimal(
    fit: np.ndarray, feasible: np.ndarray, capacity: np.ndarray, locked: Mapping[int, int]
) -> np.ndarray:
    """As many interns as the rules allow, and among those assignments the highest total fit.

    Each host becomes one column per free place, so a linear assignment solves the capacitated
    problem exactly. Shared "no place" columns, as many as the maximum matching leaves over,
    keep it solvable; a large constant on every real pair makes a place always worth more than
    any fit difference.
    """
    host_of = _start(fit.shape[0], locked)
    remaining = _remaining(capacity, locked)
    rows = np.array([r for r in range(fit.shape[0]) if r not in locked], dtype=np.int64)
    slot_host = np.repeat(np.arange(fit.shape[1]), remaining)
    if rows.size == 0 or slot_host.size == 0:
        return host_of
    allowed = feasible[np.ix_(rows, slot_host)]
    useful = allowed.any(axis=0)  # places nobody free may take only slow the solver down
    allowed, slot_host = allowed[:, useful], slot_host[useful]
    if slot_host.size == 0:
        return host_of
    matchable = int(
        (maximum_bipartite_matching(csr_matrix(allowed), perm_type="column") >= 0).sum()
    )
    spare = rows.size - matchable
    gains = fit[np.ix_(rows, slot_host)]
    spread = float(gains[allowed].max() - gains[allowed].min()) if allowed.any() else 0.0
    big = 1.0 + rows.size * spread
    cost = np.where(allowed, -(gains + big), np.inf)
    if spare:
        cost = np.hstack([cost, np.zeros((rows.size, spare))])
    assigned_rows, assigned_cols = linear_sum_assignment(cost)
    for r, c in zip(assigned_rows, assigned_cols, strict=True):
        if c < slot_host.size:
            host_of[rows[r]] = slot_host[c]
    return host_of


def _preference_keys(fit: np.ndarray) -> np.ndarray:
    """Fit with ties broken by index, so every preference list is strict and reproducible."""
    n, m = fit.shape
    tie = (np.arange(n)[:, None] * m + np.arange(m)[None, :]) * 1e-12
    keyed: np.ndarray = fit - tie
    return keyed


def solve_stable(
    fit: np.ndarray, feasible: np.ndarray, capacity: np.ndarray, locked: Mapping[int, int]
) -> np.ndarray:
    """Intern-proposing deferred acceptance; hosts rank interns by the same fit."""
    host_of = _start(fit.shape[0], locked)
    remaining = _remaining(capacity, locked)
    key = _preference_keys(fit)
    order = np.argsort(-np.where(feasible, key, -np.inf), axis=1, kind="stable")
    n_feasible = feasible.sum(axis=1)
    next_choice = np.zeros(fit.shape[0], dtype=np.int64)
    held: list[list[tuple[float, int]]] = [[] for _ in range(fit.shape[1])]  # min-heaps
    free = [r for r in range(fit.shape[0]) if r not in locked]
    while free:
        intern = free.pop()
        while next_choice[intern] < n_feasible[intern]:
            host = int(order[intern, next_choice[intern]])
            next_choice[intern] += 1
            if remaining[host] == 0:
                continue
            heap = held[host]
            if len(heap) < remaining[host]:
                heapq.heappush(heap, (float(key[intern, host]), intern))
                host_of[intern] = host
                break
            if key[intern, host] > heap[0][0]:
                _, rejected = heapq.heapreplace(heap, (float(key[intern, host]), intern))
                host_of[intern] = host
                host_of[rejected] = UNMATCHED
                free.append(rejected)
                break
    return host_of


def blocking_pairs(
    fit: np.ndarray,
    feasible: np.ndarray,
    capacity: np.ndarray,
    locked: Mapping[int, int],
    host_of: np.ndarray,
) -> list[tuple[int, int]]:
    """Feasible (intern, host) pairs that both prefer each other to what they got.

    Locked interns never move, and a host cannot give up a locked intern, so neither side of a
    lock can block.
    """
    key = _preference_keys(fit)
    n, m = fit.shape
    remaining = _remaining(capacity, locked)
    is_free = np.array([r not in locked for r in range(n)], dtype=bool)
    own = np.full(n, -np.inf)  # an unmatched intern prefers any feasible host
    matched = host_of >= 0
    own[matched] = key[np.flatnonzero(matched), host_of[matched]]
    worst_held = np.full(m, np.inf)
    count = np.zeros(m, dtype=np.int64)
    for r in np.flatnonzero(is_free & matched):
        h = host_of[r]
        count[h] += 1
        worst_held[h] = min(worst_held[h], key[r, h])
    prefers = feasible & is_free[:, None] & (key > own[:, None])
    has_room = (remaining > 0) & (count < remaining)
    accepts = (remaining > 0)[None, :] & (has_room[None, :] | (key > worst_held[None, :]))
    rows, cols = np.nonzero(prefers & accepts)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]
