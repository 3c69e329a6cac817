"""Search by text and similar units over a built index."""

from __future__ import annotations

import dataclasses
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from engine.expansion import MAX_EXPANSIONS, CompoundIndex
from engine.explain import snippet_with_highlights
from engine.fusion import DEFAULT_FUSION, Fusion, rescaled
from engine.results import Explanation, Filters, Hit, MatchedBy, SearchResults
from engine.synonyms import Synonyms, bundled
from engine.typos import correct_terms, surface_form
from indexer.analysis import Token, fold, forget_words, terms, tokens
from indexer.embedders import Embedder
from indexer.errors import ModelMismatchError, NotFoundError
from indexer.index import SearchIndex
from indexer.live import LiveIndex
from indexer.records import Document, Kind

CANDIDATES = 100
BROAD_FILTER = 0.1  # share of items above which a filtered search uses the approximate index
QUERY_CACHE_SIZE = 512
MAX_QUERY_CHARS = 500
# The budget that keeps every query near the cost of a normal one (a few words): how many of
# its words are matched, and how many of those are expanded to the compounds holding them.
MAX_QUERY_TERMS = 24
MAX_EXPANDED_TERMS = 8
MAX_COMBINING_MARKS = 2  # in a row after one letter: Danish needs at most one
# The model's cost grows with the text: 11 tokens take 18 ms, 130 take 175 ms and 480 random
# letters (278 tokens) 444 ms. It reads the first 160 characters (about 25 Danish words, at most
# ~95 tokens even of random letters); the words match lexically up to MAX_QUERY_TERMS.
EMBEDDED_QUERY_CHARS = 160
# A unit's text starts with its organisation's name, which pulls one organisation's units
# together. "Similar units" compares each unit minus this share of its organisation's mean
# unit vector: what it does and knows, not where it sits (`tvaers eval` on similar_units.csv).
ORGANISATION_SHARE = 0.3


def embedded_part(query: str) -> str:
    """The start of the query that the model reads, cut at a word boundary where there is one."""
    if len(query) <= EMBEDDED_QUERY_CHARS:
        return query
    window = query[: EMBEDDED_QUERY_CHARS + 1]
    space = window.rfind(" ")
    return window[:space] if space > EMBEDDED_QUERY_CHARS // 2 else query[:EMBEDDED_QUERY_CHARS]


def normalised_query(text: str) -> str:
    """The query as searched: NFC, runs of combining marks cut short, single spaces, capped."""
    text = unicodedata.normalize("NFC", text[: 2 * MAX_QUERY_CHARS])
    kept: list[str] = []
    run = 0
    for char in text:
        run = run + 1 if unicodedata.combining(char) else 0
        if run <= MAX_COMBINING_MARKS:
            kept.append(char)
    return " ".join("".join(kept).split())[:MAX_QUERY_CHARS]


# Units that do the same job share rare words (their services, methods, target groups) even
# where the model places them apart. The word profiles' cosine counts this much beside the
# vectors' (similar_units.csv, recall@3: 0.5 -> 0.931, 1 to 3 -> 0.948; chosen on random halves
# it picks 1 or 1.5, and 1.5 has the best MRR).
WORD_SHARE = 1.5


class UnitProfiles:
    """What "similar units" compares, worked out once per base block (~300 ms for 35k units):

    - vectors: unit vectors minus `ORGANISATION_SHARE` of their organisation's mean unit
      vector, renormalised: what a unit does and knows, not where it sits;
    - words: the unit's words as sqrt(count) x idf among units, renormalised (a word every unit
      holds counts nothing).

    The means and word weights stay those of the base block until the next compaction; rows
    written since are profiled on the spot against them.
    """

    def __init__(self, index: SearchIndex) -> None:
        base_size = index.lexical.base_size
        units = np.flatnonzero(index.facet_is("kind", "unit")[:base_size])
        self.rows = units
        self.means: dict[str, np.ndarray] = {}
        organisations = [_organisation(index, int(row)) for row in units]
        for organisation, members in _group(organisations).items():
            self.means[organisation] = index.vectors[units[members]].mean(axis=0)
        counts = index.lexical.term_counts(units)
        held = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
        self.idf = np.log(max(len(units), 1) / np.maximum(held, 1.0)).astype(np.float32)
        self.profiles = self.profile_of(index, units, organisations)
        self.words = self.words_of(index, units)

    def profile_of(
        self, index: SearchIndex, rows: np.ndarray, organisations: list[str] | None = None
    ) -> np.ndarray:
        if organisations is None:
            organisations = [_organisation(index, int(row)) for row in rows]
        zero = np.zeros(index.vectors.shape[1], dtype=np.float32)
        means = np.array([self.means.get(o, zero) for o in organisations], dtype=np.float32)
        shifted = index.vectors[rows] - ORGANISATION_SHARE * means.reshape(len(rows), -1)
        norms = np.linalg.norm(shifted, axis=1, keepdims=True)
        profiles: np.ndarray = shifted / np.maximum(norms, 1e-12)
        return profiles

    def words_of(self, index: SearchIndex, rows: np.ndarray) -> sp.csr_matrix:
        """Word profiles of these rows; a word new since the base block counts as the rarest."""
        counts = index.lexical.term_counts(rows)
        rarest = float(np.log(max(len(self.rows), 2)))
        idf = np.full(counts.shape[1], rarest, dtype=np.float32)
        known = min(len(self.idf), counts.shape[1])
        idf[:known] = self.idf[:known]
        weighted = sp.csr_matrix(counts, dtype=np.float32, copy=True)
        weighted.data = np.sqrt(weighted.data) * idf[weighted.indices]
        # The organisation's name is in every unit's text: it says where, not what.
        vocabulary = index.lexical.vocabulary
        for position, row in enumerate(rows.tolist()):
            document = index.documents[row]
            if document is None:
                continue
            named = {vocabulary.get(t, -1) for t in terms(document.organisation)}
            start, end = weighted.indptr[position], weighted.indptr[position + 1]
            here = weighted.indices[start:end]
            weighted.data[start:end][np.isin(here, list(named))] = 0.0
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        words: sp.csr_matrix = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ weighted
        return words.tocsr()


def _organisation(index: SearchIndex, row: int) -> str:
    document = index.documents[row]
    return fold(document.organisation) if document is not None else ""


def _group(values: list[str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for position, value in enumerate(values):
        groups.setdefault(value, []).append(position)
    return groups


class SearchCaches:
    """What searches over successive versions of one index share: recent query vectors, and
    what is worked out once for the base block every version since the last compaction shares
    (the compound lookup of its terms, its units' profiles)."""

    def __init__(self) -> None:
        self.query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._base_compounds: tuple[list[str], CompoundIndex] | None = None
        self._base_profiles: tuple[list[str], UnitProfiles] | None = None
        self._lock = threading.Lock()

    def has_profiles_of(self, index: SearchIndex) -> bool:
        cached = self._base_profiles
        return cached is not None and cached[0] is index.lexical.base_terms

    def profiles_of(self, index: SearchIndex) -> UnitProfiles:
        identity = index.lexical.base_terms
        with self._lock:  # requests in parallel after a compaction build it once
            if self._base_profiles is None or self._base_profiles[0] is not identity:
                self._base_profiles = (identity, UnitProfiles(index))
            return self._base_profiles[1]

    def compounds_of(self, base_terms: list[str]) -> CompoundIndex:
        if self._base_compounds is None or self._base_compounds[0] is not base_terms:
            self._base_compounds = (base_terms, CompoundIndex(base_terms))
        return self._base_compounds[1]

    def forget(self) -> None:
        """Drop cached query vectors and analysed words (a search may have named an erased
        person)."""
        self.query_vectors.clear()
        forget_words()


class Searcher:
    """Answers free-text search and "similar units" for one index version and one embedder."""

    def __init__(
        self,
        index: SearchIndex,
        embedder: Embedder,
        fusion: Fusion = DEFAULT_FUSION,
        caches: SearchCaches | None = None,
        synonyms: Callable[[], Synonyms] = bundled,
    ):
        if index.meta.model_id != embedder.model_id:
            raise ModelMismatchError(index.meta.model_id, embedder.model_id)
        self.index = index
        self.embedder = embedder
        self.fusion = fusion
        self.caches = caches or SearchCaches()
        self.synonyms = synonyms  # asked once per query: an admin's change applies at once
        lexical = index.lexical
        self._compounds = [
            self.caches.compounds_of(lexical.base_terms),
            CompoundIndex(lexical.added_terms),
        ]

    def forget_queries(self) -> None:
        self.caches.forget()

    # Lookup ------------------------------------------------------------------------------

    def document(self, kind: Kind, record_id: str) -> Document:
        document = self.index.document(f"{kind}:{record_id}")
        if document is None:
            raise NotFoundError(kind, record_id)
        return document

    # Search ------------------------------------------------------------------------------

    def search_by_text(
        self,
        query: str,
        filters: Filters | None = None,
        *,
        limit: int = 10,
        offset: int = 0,
        with_facet_counts: bool = False,
    ) -> SearchResults:
        """Hits for a free-text query; `with_facet_counts`: also how many results each filter
        value has, each facet counted with the other facets' filters but not its own."""
        started = time.perf_counter()
        query = normalised_query(query)
        filters = filters or Filters()
        if not query:
            return SearchResults(
                query, [], 0, {}, 0.0, facet_counts={} if with_facet_counts else None
            )
        analysed = self._analyse(query)
        ranked = self._ranked(analysed, self._mask(filters))
        candidates, cosine, order = ranked.candidates, ranked.cosine, ranked.order
        fused, coverage = ranked.fused, analysed.coverage
        dense_rank = np.empty(len(candidates), dtype=np.int64)
        dense_rank[np.argsort(-cosine, kind="stable")] = np.arange(len(candidates))
        page = order[offset : offset + limit]
        matched = set(analysed.weights)
        hits = [
            self._hit(
                int(candidates[i]),
                float(fused[i]),
                matched,
                by_meaning=bool(dense_rank[i] < max(10, offset + limit)),
            )
            for i in page
        ]
        counts = self._facet_counts(analysed, filters, ranked) if with_facet_counts else None
        took = (time.perf_counter() - started) * 1000
        best_cosine = float(cosine[order].max()) if order else 0.0
        best_coverage = float(coverage[candidates][order].max()) if order else 0.0
        return SearchResults(
            query,
            hits,
            len(order),
            self._as_written(query, analysed.corrections, analysed.synonyms),
            round(took, 2),
            best_cosine,
            best_coverage,
            counts,
        )

    def _analyse(self, query: str) -> _Analysed:
        """What a query gives before any filter: its words, their weights, the vector."""
        query_terms = list(dict.fromkeys(terms(query)))[:MAX_QUERY_TERMS]
        synonyms = self.synonyms()
        corrections = correct_terms(query_terms, self.index.lexical, synonyms.vocabulary)
        weights = self._term_weights(query_terms, corrections)
        # After the compounds: a synonym's words count for less and are not expanded further.
        added = synonyms.expand(list(weights))
        for term, weight in added.items():
            weights.setdefault(term, weight)
        coverage = self._coverage(weights, self._stand_ins(weights, added, synonyms))
        return _Analysed(corrections, weights, coverage, self._embed_query(query), synonyms)

    def _as_written(
        self, query: str, corrections: dict[str, str], synonyms: Synonyms
    ) -> dict[str, str]:
        """Corrections as "Mente du" shows them: typed word → word read, both as written
        (the query's own word; the read one as the documents or the lists write it), not stems."""
        if not corrections:
            return {}
        typed = {t.term: t.surface.lower() for t in reversed(tokens(query))}
        return {
            typed.get(term, term): surface_form(read, self.index) or synonyms.surface(read) or read
            for term, read in corrections.items()
        }

    def _ranked(self, analysed: _Analysed, mask: np.ndarray | None) -> _Ranked:
        """The results within a filter mask: candidates, their scores, the shown ones in order."""
        candidates = self._candidates(analysed.vector, analysed.coverage, mask)
        cosine = self.index.vectors[candidates] @ analysed.vector
        coverage = analysed.coverage[candidates]
        fused = self.fusion.combine(cosine, coverage)
        relevant = (coverage > 0) | (rescaled(cosine) >= self.fusion.dense_floor)
        order = [int(i) for i in np.argsort(-fused, kind="stable") if relevant[i]]
        return _Ranked(candidates, cosine, fused, order)

    def _facet_counts(
        self, analysed: _Analysed, filters: Filters, ranked: _Ranked
    ) -> dict[str, dict[str, int]]:
        """Per facet, (folded) value → results: the search with every other facet's filter,
        as faceted search does, so the counts say what choosing another value would keep."""
        counts: dict[str, dict[str, int]] = {}
        by_mask: dict[Filters, _Ranked] = {filters: ranked}
        for facet in FACETS:
            others = dataclasses.replace(filters, **{facet: None})
            if others not in by_mask:
                by_mask[others] = self._ranked(analysed, self._mask(others))
            shown = by_mask[others]
            rows = shown.candidates[np.array(shown.order, dtype=np.int64)]
            lookup, codes = self.index.facets[facet]
            names = {code: value for value, code in lookup.items()}
            found = np.bincount(codes[rows], minlength=len(lookup))
            counts[facet] = {names[c]: int(n) for c, n in enumerate(found) if n and names[c]}
        return counts

    def similar_units(
        self, unit_id: str, *, limit: int = 10, other_organisations: bool = False
    ) -> list[Hit]:
        """Units closest in meaning to this one (never itself), optionally only elsewhere."""
        unit = self.document("unit", unit_id)
        row = self.index.row_of(unit.key)
        assert row is not None  # document() found it
        mask = self._facet_is("kind", "unit")
        mask[row] = False
        if other_organisations:
            mask &= ~self._facet_is("organisation", fold(unit.organisation))
        rows = np.flatnonzero(mask)
        vectors, words = self._unit_profiles(rows)
        own_vector, own_words = self._unit_profiles(np.array([row]))
        word_cosine = np.asarray((words @ own_words.T).todense()).ravel()
        scores = vectors @ own_vector[0] + WORD_SHARE * word_cosine
        top = np.argsort(-scores, kind="stable")[:limit]
        source_terms = self._distinctive_terms(row)
        return [
            self._hit(int(rows[i]), float(scores[i]), source_terms, by_meaning=True) for i in top
        ]

    # Internals ---------------------------------------------------------------------------

    def _unit_profiles(self, rows: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix]:
        """The vector and word profiles of these unit rows: base-block rows from the shared
        cache, rows written since (few) worked out now against the base block's means and word
        weights."""
        base = self.caches.profiles_of(self.index)
        where = np.searchsorted(base.rows, rows)
        cached = where < len(base.rows)
        cached[cached] = base.rows[where[cached]] == rows[cached]
        profiles = np.empty((len(rows), self.index.vectors.shape[1]), dtype=np.float32)
        profiles[cached] = base.profiles[where[cached]]
        width = len(self.index.lexical.vocabulary)
        words = _widened(base.words[where[cached]], width)
        others = rows[~cached]
        if len(others):
            profiles[~cached] = base.profile_of(self.index, others)
            words = sp.vstack([words, base.words_of(self.index, others)]).tocsr()
            order = np.concatenate([np.flatnonzero(cached), np.flatnonzero(~cached)])
            words = words[np.argsort(order, kind="stable")]
        return profiles, words

    def _mask(self, filters: Filters) -> np.ndarray | None:
        mask: np.ndarray | None = None
        for facet in FACETS:
            value = getattr(filters, facet)
            if value:
                selected = self._facet_is(facet, value if facet == "kind" else fold(value.strip()))
                mask = selected if mask is None else mask & selected
        return mask

    def _facet_is(self, facet: str, value: str) -> np.ndarray:
        return self.index.facet_is(facet, value)

    def _term_weights(
        self, query_terms: list[str], corrections: dict[str, str]
    ) -> dict[str, float]:
        """Query terms (typos read as their correction) plus the compounds they are part of."""
        weights: dict[str, float] = {}
        for term in query_terms:
            term = corrections.get(term, term)
            weights[term] = 1.0
        lexical = self.index.lexical
        for term in list(weights)[:MAX_EXPANDED_TERMS]:
            found = [c for part in self._compounds for c in part.expand(term)]
            live = [c for c in found if lexical.document_frequency(c)][:MAX_EXPANSIONS]
            for compound in live:
                weights.setdefault(compound, self.fusion.compound_weight)
        return weights

    def _stand_ins(
        self, weights: dict[str, float], added: dict[str, float], synonyms: Synonyms
    ) -> dict[str, float] | None:
        """The words a full match holds when a typed word no document holds has synonyms
        ("xbs" for "borgerservice"): its synonyms stand in for it, so finding them counts."""
        lexical = self.index.lexical
        typed = {t: w for t, w in weights.items() if w == 1.0}
        unknown = [t for t in typed if lexical.column(t) is None and t in synonyms.vocabulary]
        if not unknown or not added:
            return None
        stand_ins = {t: w for t, w in typed.items() if t not in unknown}
        stand_ins.update({t: w for t, w in added.items() if lexical.column(t) is not None})
        return stand_ins

    def _coverage(
        self, weights: dict[str, float], best_of: dict[str, float] | None = None
    ) -> np.ndarray:
        """Share of the query's word weight each document holds, in [0, 1] (`best_of`: the
        words a full match holds, by default the typed ones)."""
        lexical = self.index.lexical
        if best_of is None:
            best_of = {t: w for t, w in weights.items() if w == 1.0}
        best = lexical.best_possible(best_of)
        if best <= 0:
            return np.zeros(lexical.size, dtype=np.float32)
        coverage: np.ndarray = np.minimum(lexical.scores(weights) / best, 1.0)
        return coverage

    def _embed_query(self, query: str) -> np.ndarray:
        """Queries repeat (typing, paging, filters), so recent vectors are kept."""
        query = embedded_part(query)
        cache = self.caches.query_vectors
        vector = cache.get(query)
        if vector is None:
            vector = self.embedder.embed_queries([query])[0]
            cache[query] = vector
            if len(cache) > QUERY_CACHE_SIZE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(query)
        return vector

    def _candidates(
        self, query_vector: np.ndarray, coverage: np.ndarray, mask: np.ndarray | None
    ) -> np.ndarray:
        """Top rows by meaning and by words, within the filters."""
        if mask is None:
            dense_rows = self.index.nearest(query_vector, CANDIDATES)
            lexical_pool = coverage
        else:
            dense_rows = self._dense_within(query_vector, mask)
            lexical_pool = np.where(mask, coverage, 0.0)
        lexical_rows = _top(lexical_pool, CANDIDATES)
        lexical_rows = lexical_rows[lexical_pool[lexical_rows] > 0]
        return np.unique(np.concatenate([dense_rows, lexical_rows]).astype(np.int64))

    def _dense_within(self, query_vector: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Top rows by meaning among those the filters allow (the mask holds only live rows).

        A broad filter on an approximate index: ask it for proportionally more and keep the
        allowed ones. Otherwise exact: a narrow filter gathers its few rows; on an exact index
        scoring every row and masking avoids copying (both measured in `make bench`).
        """
        index = self.index
        share = float(mask.mean()) if len(mask) else 0.0
        if index.meta.dense.type != "flat" and share >= BROAD_FILTER:
            return index.nearest(
                query_vector, CANDIDATES, among=mask, fetch=int(2 * CANDIDATES / share)
            )
        if index.meta.dense.type != "flat":
            allowed = np.flatnonzero(mask)
            gathered: np.ndarray = allowed[_top(index.vectors[allowed] @ query_vector, CANDIDATES)]
            return gathered
        scores = np.where(mask, index.vectors @ query_vector, -np.inf)
        top = _top(scores, CANDIDATES)
        exact: np.ndarray = top[mask[top]]
        return exact

    def _hit(self, row: int, score: float, query_terms: set[str], *, by_meaning: bool) -> Hit:
        document = self.index.documents[row]
        assert document is not None  # candidates are live rows
        found = self._terms_in_row(row, query_terms)
        body_tokens = tokens(document.body)  # once, for the snippet and the matched words
        snippet, spans = snippet_with_highlights(document.body, set(found), body_tokens)
        by_words = bool(found)
        matched_by: MatchedBy = (
            "both" if by_words and by_meaning else "words" if by_words else "meaning"
        )
        words = _surface_words([*tokens(document.title), *body_tokens], set(found))
        explanation = Explanation(matched_by, words, snippet, spans)
        return Hit.of(document, score, explanation)

    def _distinctive_terms(self, row: int) -> set[str]:
        """The rarer half of a document's words: what shared words between units mean something."""
        lexical = self.index.lexical
        columns = lexical.row_columns(row)
        if not len(columns):
            return set()
        idf = lexical.idf[columns]
        return {lexical.terms[c] for c in columns[idf >= np.median(idf)].tolist()}

    def _terms_in_row(self, row: int, query_terms: set[str]) -> list[str]:
        lexical = self.index.lexical
        present = set(lexical.row_columns(row).tolist())
        return [t for t in query_terms if lexical.vocabulary.get(t, -1) in present]


def _surface_words(found: list[Token], matched: set[str]) -> list[str]:
    """The matched words as the document writes them (users read words, not stems)."""
    return list(dict.fromkeys(t.surface.lower() for t in found if t.term in matched))


def _widened(matrix: sp.csr_matrix, width: int) -> sp.csr_matrix:
    """The same rows with room for terms added since the base block (new columns empty)."""
    if matrix.shape[1] == width:
        return matrix
    return sp.csr_matrix(
        (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width)
    )


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    if len(scores) <= k:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


FACETS = ("kind", "organisation", "sector", "area")


@dataclass(frozen=True)
class _Analysed:
    corrections: dict[str, str]
    weights: dict[str, float]
    coverage: np.ndarray  # per row
    vector: np.ndarray
    synonyms: Synonyms


@dataclass(frozen=True)
class _Ranked:
    candidates: np.ndarray  # rows
    cosine: np.ndarray  # per candidate
    fused: np.ndarray
    order: list[int]  # positions in `candidates` of the results, best first


class LiveSearcher:
    """The Searcher of a live index's newest version: one per process, shared by requests."""

    def __init__(
        self,
        live: LiveIndex,
        embedder: Embedder,
        fusion: Fusion = DEFAULT_FUSION,
        synonyms: Callable[[], Synonyms] = bundled,
    ):
        self.live = live
        self.embedder = embedder
        self.fusion = fusion
        self.synonyms = synonyms
        self.caches = SearchCaches()
        self._searcher = Searcher(live.current, embedder, fusion, self.caches, synonyms)

    def current(self) -> Searcher:
        """A request keeps the searcher it got: one version answers it from start to end."""
        index = self.live.current
        searcher = self._searcher
        if searcher.index is not index:
            # Every change may be an erasure: a cached query or word may name the person.
            self.caches.forget()
            searcher = self._searcher = Searcher(
                index, self.embedder, self.fusion, self.caches, self.synonyms
            )
        return searcher
