"""Typed results of the engine, shared by the CLI and the HTTP service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from indexer.records import Document, Kind

MatchedBy = Literal["meaning", "words", "both"]
TotalRelation = Literal["eq", "gte"]


@dataclass(frozen=True)
class Filters:
    kind: Kind | None = None
    organisation: str | None = None
    sector: str | None = None
    area: str | None = None


@dataclass(frozen=True)
class Via:
    """The person or trial that brought a unit into a search for units: what they know."""

    kind: Kind
    id: str
    title: str


@dataclass(frozen=True)
class Explanation:
    """Why a hit matched: by meaning (dense), by words (BM25), or both; the words, in context."""

    matched_by: MatchedBy
    matched_terms: list[str]
    snippet: str
    highlights: list[tuple[int, int]]  # character spans in `snippet`
    # Set when a unit matched through one of its people or trials: the words and snippet are
    # theirs.
    via: Via | None = None

    def marked_snippet(self, before: str = "[", after: str = "]") -> str:
        parts, last = [], 0
        for start, end in self.highlights:
            parts += [self.snippet[last:start], before, self.snippet[start:end], after]
            last = end
        parts.append(self.snippet[last:])
        return "".join(parts)


@dataclass(frozen=True)
class Hit:
    id: str
    kind: Kind
    title: str
    score: float
    organisation: str
    sector: str
    area: str
    unit_id: str | None
    unit_name: str | None
    explanation: Explanation
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, document: Document, score: float, explanation: Explanation) -> Hit:
        return cls(
            id=document.id,
            kind=document.kind,
            title=document.title,
            score=round(float(score), 4),
            organisation=document.organisation,
            sector=document.sector,
            area=document.area,
            unit_id=document.unit_id,
            unit_name=document.unit_name,
            explanation=explanation,
            metadata=document.metadata,
        )


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[Hit]
    # Every document that matches, before paging: a lexical hit (it holds a query word, or a
    # compound of one), or a dense score at or above the shown threshold (`Fusion.dense_floor`
    # of the unfiltered candidate pool's similarity range). Lexical hits are counted over the whole
    # index; dense-only ones within the candidate pool, so when every one of the pool's
    # nearest rows passes the threshold, rows beyond it may pass too and `total` is a lower
    # bound: `total_relation` "gte" (as Elasticsearch's track_total_hits), else "eq".
    total: int
    corrections: dict[str, str]  # typed word → the word it was read as, both as written
    took_ms: float
    # The evidence of the best results without filters: the highest cosine similarity (meaning)
    # and the largest share of the query's word weight one result holds (words). Search gaps
    # tell weak results from good ones by these and `total_without_filters` (service/gaps.py):
    # a gap is in what is written, not in a filter chosen.
    best_cosine: float = 0.0
    best_coverage: float = 0.0
    # Asked for: per facet ("kind", "organisation", "sector", "area"), folded value → how many
    # results the search has with the other facets' filters (not its own): the total that
    # choosing the value gives.
    facet_counts: dict[str, dict[str, int]] | None = None
    total_relation: TotalRelation = "eq"
    # The matches that are ranked (the candidate pool's, about 200 at most): pages reach these,
    # so an offset at or past `available` has no hits.
    available: int = 0
    # The search without filters: its matches, of which every filtered search's are a part,
    # and so also what `facet_counts` count (lower bounds where this relation is "gte").
    total_without_filters: int = 0
    relation_without_filters: TotalRelation = "eq"
    # Nothing fits the query (it is about something no record is about): `hits` is empty and
    # `nearest` holds the closest records, to be shown apart and plainly labelled as such.
    nothing_fits: bool = False
    nearest: list[Hit] = field(default_factory=list)
