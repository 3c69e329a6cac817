"""What "similar units" compares: a profile per unit of what it does, knows and has tried.

A unit's text starts with its organisation's name, which pulls one organisation's units together,
and a visitkort alone is short. So a unit's profile is its own vector and words, plus half as much
of its people's and trials' (what its people know, what it has tried), less a share of its
organisation's mean: what it does, not where it sits. `tvaers eval tests/data/similar_units.csv`
measures each choice (docs/udvikling.md, "Similar units").
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

from indexer.analysis import fold, terms
from indexer.index import SearchIndex

# Share of the organisation's mean unit vector taken off each unit (recall@3 0.810 -> 0.931
# together with the word profiles).
ORGANISATION_SHARE = 0.3
# Units that do the same job share rare words (their services, methods, target groups) even
# where the model places them apart. The word profiles' cosine counts this much beside the
# vectors' (similar_units.csv, recall@3: 0.5 -> 0.931, 1 to 3 -> 0.948; chosen on random halves
# it picks 1 or 1.5, and 1.5 has the best MRR).
WORD_SHARE = 1.5
# How much a unit's people and trials count beside its own text, in vectors and in words
# (similar_units.csv recall@3 0.948 -> 1.000, MRR 0.911 -> 0.933; 0.35 to 1 all give >= 0.983).
MEMBER_SHARE = 0.5

Members = dict[str, np.ndarray]  # unit id -> rows of its people and trials


class UnitProfiles:
    """Profiles of the base block's units, worked out once per base block (the block every
    version since the last compaction shares):

    - vectors: the unit's vector plus `MEMBER_SHARE` of its members' mean, minus
      `ORGANISATION_SHARE` of its organisation's mean unit, renormalised;
    - words: the unit's words as sqrt(count) x idf among units (a word every unit holds counts
      nothing, the organisation's name is left out), plus `MEMBER_SHARE` of its members', the
      same way, renormalised.

    Units written since, and units whose people or trials changed since, are profiled on the
    spot (`profile_of`) against the base block's means and word weights, which stay until the
    next compaction.
    """

    def __init__(self, index: SearchIndex) -> None:
        base_size = index.lexical.base_size
        self.alive = index.alive[:base_size].copy()
        self.rows = np.flatnonzero(index.facet_is("kind", "unit")[:base_size])
        self.ids = np.array([_id(index, int(row)) for row in self.rows], dtype=object)
        self.members, self._unit_of_member = _members_by_unit(index, range(base_size))
        counts = index.lexical.term_counts(self.rows)
        held = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
        self.idf = np.log(max(len(self.rows), 1) / np.maximum(held, 1.0)).astype(np.float32)
        own, self.words = self._blended(index, self.rows, [self.members.get(u) for u in self.ids])
        organisations = [_organisation(index, int(row)) for row in self.rows]
        # The mean of the units' own vectors, not of their profiles: a person or trial written
        # since the base block then moves only its own unit's profile, as a rebuild would.
        unit_vectors = index.vectors[self.rows]
        self.means = {
            organisation: unit_vectors[positions].mean(axis=0)
            for organisation, positions in _group(organisations).items()
        }
        self.profiles = self._shifted(own, organisations)

    def changed_members(self, index: SearchIndex) -> Members:
        """The units whose people or trials changed since the base block, with their members
        in this version (a few rows: the writes since the last compaction)."""
        base_size = len(self.alive)
        touched: dict[str, list[int]] = {}
        died = np.flatnonzero(self.alive & ~index.alive[:base_size])
        for row in died.tolist():
            unit = self._unit_of_member.get(row)
            if unit is not None:
                touched.setdefault(unit, [])
        written, _ = _members_by_unit(index, range(base_size, index.size))
        for unit, added in written.items():
            touched.setdefault(unit, []).extend(added.tolist())
        changed: Members = {}
        for unit, new in touched.items():
            kept = self.members.get(unit, np.zeros(0, dtype=np.int64))
            kept = kept[index.alive[kept]]
            changed[unit] = np.sort(np.concatenate([kept, np.array(new, dtype=np.int64)]))
        return changed

    def profile_of(
        self, index: SearchIndex, rows: np.ndarray, members: Members
    ) -> tuple[np.ndarray, sp.csr_matrix]:
        """Vector and word profiles of these unit rows as this version holds them (`members`:
        each unit's people and trials where they changed since the base block)."""
        ids = [_id(index, int(row)) for row in rows]
        member_rows = [members[u] if u in members else self.members.get(u) for u in ids]
        own, words = self._blended(index, rows, member_rows)
        organisations = [_organisation(index, int(row)) for row in rows]
        return self._shifted(own, organisations), words

    def _blended(
        self, index: SearchIndex, rows: np.ndarray, members: list[np.ndarray | None]
    ) -> tuple[np.ndarray, sp.csr_matrix]:
        """The rows' vectors and word profiles, each with `MEMBER_SHARE` of its members' mean."""
        mean_of_members = _mean_of(members, len(rows))
        present = [m for m in members if m is not None and len(m)]
        member_rows = np.concatenate(present) if present else np.zeros(0, dtype=np.int64)
        vectors = index.vectors[rows] + MEMBER_SHARE * (
            mean_of_members @ index.vectors[member_rows]
        )
        words = self._words(index, rows) + MEMBER_SHARE * (
            mean_of_members @ self._words(index, member_rows)
        )
        return _unit_rows(np.asarray(vectors, dtype=np.float32)), _unit_rows_sparse(words)

    def _shifted(self, vectors: np.ndarray, organisations: list[str]) -> np.ndarray:
        zero = np.zeros(vectors.shape[1], dtype=np.float32)
        means = np.array([self.means.get(o, zero) for o in organisations], dtype=np.float32)
        return _unit_rows(vectors - ORGANISATION_SHARE * means.reshape(vectors.shape))

    def _words(self, index: SearchIndex, rows: np.ndarray) -> sp.csr_matrix:
        """Word profiles of these rows; a word new since the base block counts as the rarest."""
        counts = index.lexical.term_counts(rows)
        rarest = float(np.log(max(len(self.rows), 2)))
        idf = np.full(counts.shape[1], rarest, dtype=np.float32)
        known = min(len(self.idf), counts.shape[1])
        idf[:known] = self.idf[:known]
        weighted = sp.csr_matrix(counts, dtype=np.float32, copy=True)
        weighted.data = np.sqrt(weighted.data) * idf[weighted.indices]
        # The organisation's name is in every unit's text: it says where, not what.
        named = _organisation_names(index, rows, counts.shape[1])
        return _unit_rows_sparse(weighted - weighted.multiply(named))


class VersionProfiles:
    """Every live unit's profile in one index version: the base block's from its cache, and,
    worked out once for the version, those of units written since or whose people or trials
    changed since (a few: the writes since the last compaction)."""

    def __init__(self, base: UnitProfiles, index: SearchIndex) -> None:
        self.base = base
        self.size = index.size
        self.width = len(index.lexical.vocabulary)
        changed = base.changed_members(index)
        base_size = len(base.alive)
        touched = base.rows[np.isin(base.ids, list(changed))] if changed else base.rows[:0]
        written = base_size + np.flatnonzero(index.facet_is("kind", "unit")[base_size:])
        self.rows = np.sort(np.concatenate([touched, written]).astype(np.int64))
        self.vectors, words = base.profile_of(index, self.rows, changed)
        self.words = _widened(words, self.width)
        self.changed = changed

    def members_of(self, unit_id: str) -> np.ndarray:
        """The rows of a unit's people and trials in this version (a unit whose members died
        or were written since the base block is among the changed ones)."""
        members = self.changed.get(unit_id)
        if members is None:
            members = self.base.members.get(unit_id, np.zeros(0, dtype=np.int64))
        return members

    def of(self, rows: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix]:
        """The vector and word profiles of these unit rows, in the order asked."""
        here, where = _positions(self.rows, rows)
        in_base, base_where = _positions(self.base.rows, rows)
        in_base &= ~here
        vectors = np.empty((len(rows), self.base.profiles.shape[1]), dtype=np.float32)
        vectors[here] = self.vectors[where[here]]
        vectors[in_base] = self.base.profiles[base_where[in_base]]
        base_words = _widened(self.base.words[base_where[in_base]], self.width)
        parts = [self.words[where[here]], base_words]
        order = np.concatenate([np.flatnonzero(here), np.flatnonzero(in_base)])
        words = sp.vstack(parts).tocsr()[np.argsort(order, kind="stable")]
        return vectors, words

    def similarity_to(self, row: int) -> np.ndarray:
        """Per index row, how similar that unit is to this one (-inf for rows that are no unit
        of this version's profiles; dead rows are for the caller's mask)."""
        vector, words = self.of(np.array([row]))
        scores = np.full(self.size, -np.inf, dtype=np.float32)
        base = self.base
        width = base.words.shape[1]
        base_words = np.asarray((base.words @ words[:, :width].T).todense()).ravel()
        scores[base.rows] = base.profiles @ vector[0] + WORD_SHARE * base_words
        if len(self.rows):
            own_words = np.asarray((self.words @ words.T).todense()).ravel()
            scores[self.rows] = self.vectors @ vector[0] + WORD_SHARE * own_words
        return scores


def _positions(sorted_rows: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of `rows` are in `sorted_rows`, and where."""
    where = np.searchsorted(sorted_rows, rows)
    found = where < len(sorted_rows)
    found[found] = sorted_rows[where[found]] == rows[found]
    return found, np.minimum(where, max(len(sorted_rows) - 1, 0))


def _widened(matrix: sp.csr_matrix, width: int) -> sp.csr_matrix:
    """The same rows with room for terms added since the base block (new columns empty)."""
    if matrix.shape[1] == width:
        return matrix
    return sp.csr_matrix(
        (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width)
    )


def _members_by_unit(index: SearchIndex, rows: Iterable[int]) -> tuple[Members, dict[int, str]]:
    """The live people and trials among these rows, by unit; and each one's unit."""
    by_unit: dict[str, list[int]] = {}
    unit_of: dict[int, str] = {}
    alive = index.alive
    for row in rows:
        document = index.documents[row]
        if document is None or not alive[row] or document.kind == "unit" or not document.unit_id:
            continue
        by_unit.setdefault(document.unit_id, []).append(row)
        unit_of[row] = document.unit_id
    return {u: np.array(r, dtype=np.int64) for u, r in by_unit.items()}, unit_of


def _mean_of(members: list[np.ndarray | None], count: int) -> sp.csr_matrix:
    """A (units x all member rows) matrix whose product with the member rows is each unit's
    mean member (zero for a unit without members)."""
    sizes = np.array([0 if m is None else len(m) for m in members], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(sizes)])
    data = np.repeat(1.0 / np.maximum(sizes, 1), sizes).astype(np.float32)
    indices = np.arange(int(indptr[-1]), dtype=np.int64)
    return sp.csr_matrix((data, indices, indptr), shape=(count, int(indptr[-1])))


def _organisation_names(index: SearchIndex, rows: np.ndarray, width: int) -> sp.csr_matrix:
    """1 where a row holds a word of its organisation's name."""
    vocabulary = index.lexical.vocabulary
    columns_of: dict[str, list[int]] = {}
    indices: list[int] = []
    indptr = [0]
    for row in rows.tolist():
        document = index.documents[row]
        organisation = document.organisation if document is not None else ""
        columns = columns_of.get(organisation)
        if columns is None:
            found = {vocabulary.get(t, -1) for t in terms(organisation)}
            columns = columns_of[organisation] = sorted(c for c in found if 0 <= c < width)
        indices.extend(columns)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), width))


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: np.ndarray = vectors / np.maximum(norms, 1e-12)
    return normalised


def _unit_rows_sparse(matrix: sp.spmatrix) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    normalised: sp.csr_matrix = (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ matrix).tocsr()
    return normalised


def _id(index: SearchIndex, row: int) -> str:
    document = index.documents[row]
    return document.id if document is not None else ""


def _organisation(index: SearchIndex, row: int) -> str:
    document = index.documents[row]
    return fold(document.organisation) if document is not None else ""


def _group(values: list[str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for position, value in enumerate(values):
        groups.setdefault(value, []).append(position)
    return groups
