"""A synthetic Danish-like corpus for the search benchmark, built honestly from the sample data.

Embedding 100k real texts would take over an hour on two cores, so the corpus is made in two steps:

1. *Base items* (~1,500): texts recombined from the sample data's own sentences and phrases (unit
   descriptions, competencies, people's expertise, trial descriptions and learnings) with random
   Danish names and places, in the same shape as `indexer.records` builds document texts. These are
   embedded with the real model.
2. *Derived items* (the rest): each picks 2–3 base "parents"; its vector is a normalised random
   mixture of the parents' vectors plus small Gaussian noise (so neighbourhoods look like real
   embeddings: clustered, anisotropic, with near neighbours), and its text recombines the parents'
   sentences and phrases with a fresh name and place (so BM25 sees realistic term statistics).

Everything is seeded, so the same sample data gives the same corpus and queries.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexer.pieces import Pieces
from indexer.records import Document, Kind, Record, text_pieces

FIRST_NAMES = (
    "Anne Mette Hanne Kirsten Susanne Lene Camilla Louise Maria Helle Tina Pia Julie Line Marianne "
    "Charlotte Bente Lone Karina Dorte Sofie Emma Ida Freja Signe Birgitte Inge Rikke Malene Trine "
    "Jens Peter Lars Michael Henrik Søren Thomas Jan Niels Morten Anders Martin Rasmus Jesper Kim "
    "Christian Mads Frederik Kasper Mikkel Ole Poul Bo Torben Jørgen Steen Claus Nikolaj Emil Jonas"
).split()
LAST_NAMES = (
    "Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen "
    "Petersen Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen "
    "Knudsen Jakobsen Mikkelsen Olesen Frederiksen Laursen Henriksen Lund Schmidt Eriksen "
    "Holm Kristiansen Clausen Simonsen Svendsen Andreasen Iversen Jeppesen Vestergaard Bisgaard "
    "Dahl Bech Ravn Kjær Lauritzen Skov Friis Bang Juhl Mølgaard Thygesen Nørgaard Bak Kofoed"
).split()
PLACES = (
    *"Haslev Faxe Karise Rønnede Dalby Terslev Jystrup Tureby Kongsted Køge Ringsted".split(),
    *"Næstved Roskilde Slagelse Holbæk Sorø Vordingborg Præstø Stege Nakskov Kalundborg".split(),
    *"Greve Solrød Lejre Hvalsø Borup Herfølge Bjæverskov Tølløse".split(),
    "Faxe Ladeplads",
    "Store Heddinge",
    "Nykøbing Falster",
)
JOB_TITLES = (
    "sagsbehandler",
    "specialkonsulent",
    "teamleder",
    "fagkoordinator",
    "udviklingskonsulent",
    "sygeplejerske",
    "social- og sundhedsassistent",
    "pædagog",
    "ergoterapeut",
    "fysioterapeut",
    "jobkonsulent",
    "projektleder",
    "chefkonsulent",
    "afdelingsleder",
    "digitaliseringskonsulent",
    "økonomikonsulent",
    "jurist",
    "byplanlægger",
    "miljømedarbejder",
    "IT-supporter",
)
TRIAL_OPENERS = ("Forsøg med", "Pilotprojekt:", "Prøvehandling:", "Test af", "Ny praksis for")
_PLACE_WORDS = frozenset(word for place in PLACES for word in place.split())
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Sources:
    """The building blocks taken from the sample data."""

    sentences: list[str]
    phrases: list[str]
    unit_names: list[str]
    # (organisation, sector, area) of real units, so facets and filters look real.
    placements: list[tuple[str, str, str]]


@dataclass
class Item:
    kind: Kind
    title: str
    text: str
    sentences: list[str]
    phrases: list[str]
    placement: tuple[str, str, str]


def sources_from_records(records: Sequence[Record]) -> Sources:
    sentences: list[str] = []
    phrases: list[str] = []
    unit_names: list[str] = []
    placements: list[tuple[str, str, str]] = []
    for record in records:
        if record.kind == "unit":
            unit_names.append(record.get("name"))
            placements.append(
                (record.get("organisation"), record.get("sector"), record.get("area"))
            )
            sentences += _sentences(record.get("description"))
            phrases += _list(record.get("competencies"))
        elif record.kind == "person":
            phrases += _list(record.get("expertise"))
        else:
            phrases.append(record.get("title"))
            sentences += _sentences(record.get("description"))
            sentences += _sentences(record.get("learnings"))
    return Sources(
        sentences=sorted(set(s for s in sentences if len(s.split()) >= 4)),
        phrases=sorted(set(p for p in phrases if sum(c.isalpha() for c in p) >= 3)),
        unit_names=sorted(set(unit_names)),
        placements=sorted(set(placements)),
    )


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s.strip()]


def _list(value: str) -> list[str]:
    return [p.strip() for p in (value or "").split(";") if p.strip()]


class CorpusMaker:
    def __init__(self, sources: Sources, seed: int = 20_240_601) -> None:
        self.sources = sources
        self.rng = random.Random(seed)

    # Names -------------------------------------------------------------------------------

    def person_name(self) -> str:
        rng = self.rng
        middle = f" {rng.choice(LAST_NAMES)}" if rng.random() < 0.3 else ""
        return f"{rng.choice(FIRST_NAMES)}{middle} {rng.choice(LAST_NAMES)}"

    def unit_title(self) -> str:
        name = self.rng.choice(self.sources.unit_names)
        words = name.split()
        head = " ".join(words[:-1]) if len(words) > 1 and words[-1] in _PLACE_WORDS else name
        return f"{head} {self.rng.choice(PLACES)}"

    def trial_title(self, phrases: Sequence[str]) -> str:
        phrase = self.rng.choice(list(phrases) or self.sources.phrases)
        return f"{self.rng.choice(TRIAL_OPENERS)} {phrase.lower()} i {self.rng.choice(PLACES)}"

    # Items -------------------------------------------------------------------------------

    def base_item(self) -> Item:
        rng = self.rng
        kind: Kind = rng.choices(("unit", "person", "trial"), weights=(3, 5, 2))[0]
        sentences = rng.sample(self.sources.sentences, rng.randint(2, 4))
        phrases = rng.sample(self.sources.phrases, rng.randint(2, 5))
        placement = rng.choice(self.sources.placements)
        return self._item(kind, sentences, phrases, placement)

    def derived_item(
        self, parents: Sequence[int], weights: Sequence[float], base: list[Item]
    ) -> Item:
        """Text recombined from the parents' sentences and phrases, drawn by mixture weight."""
        rng = self.rng
        first = base[parents[0]]
        pool_s = [(s, w) for p, w in zip(parents, weights, strict=True) for s in base[p].sentences]
        pool_p = [(s, w) for p, w in zip(parents, weights, strict=True) for s in base[p].phrases]
        sentences = _weighted_sample(rng, pool_s, rng.randint(2, 4))
        phrases = _weighted_sample(rng, pool_p, rng.randint(2, 5))
        return self._item(first.kind, sentences, phrases, first.placement)

    def _item(
        self,
        kind: Kind,
        sentences: list[str],
        phrases: list[str],
        placement: tuple[str, str, str],
    ) -> Item:
        organisation, _sector, area = placement
        body = " ".join(sentences)
        if kind == "unit":
            title = self.unit_title()
            text = f"{title}. {organisation}. {area}. {body} Kompetencer: {', '.join(phrases)}."
        elif kind == "person":
            title = self.person_name()
            job = self.rng.choice(JOB_TITLES)
            text = f"{title}, {job}, {self.unit_title()} ({organisation}). {', '.join(phrases)}"
            text += f". {sentences[0]}"
        else:
            title = self.trial_title(phrases)
            text = f"{title}. Prøvehandling i {self.unit_title()}, {organisation}. {body}"
            text += f" Læring: {', '.join(phrases)}."
        return Item(kind, title, text, sentences, phrases, placement)


def _weighted_sample(rng: random.Random, pool: list[tuple[str, float]], k: int) -> list[str]:
    chosen: list[str] = []
    remaining = list(dict((s, w) for s, w in pool).items())
    while remaining and len(chosen) < k:
        pick = rng.choices(range(len(remaining)), weights=[w for _, w in remaining])[0]
        chosen.append(remaining.pop(pick)[0])
    return chosen


def make_base(maker: CorpusMaker, count: int) -> list[Item]:
    items: list[Item] = []
    seen: set[str] = set()
    while len(items) < count:
        item = maker.base_item()
        if item.text not in seen:
            seen.add(item.text)
            items.append(item)
    return items


def derive(
    maker: CorpusMaker,
    base: list[Item],
    base_vectors: np.ndarray,
    count: int,
    *,
    noise: float = 0.3,
    seed: int = 7,
) -> tuple[list[Item], np.ndarray]:
    """`count` derived items and their vectors (mixtures of 2–3 base vectors plus noise).

    `noise` is the expected norm of the Gaussian noise added to the (unit-length) mixture.
    """
    rng = np.random.default_rng(seed)
    dimension = base_vectors.shape[1]
    n_parents = rng.integers(2, 4, size=count)
    items: list[Item] = []
    vectors = np.empty((count, dimension), dtype=np.float32)
    sigma = noise / np.sqrt(dimension)
    for i in range(count):
        parents = rng.choice(len(base), size=int(n_parents[i]), replace=False)
        weights = rng.dirichlet(np.ones(len(parents)))
        mixture = weights @ base_vectors[parents]
        mixture /= np.linalg.norm(mixture)
        mixture += rng.normal(0.0, sigma, size=dimension)
        vectors[i] = mixture / np.linalg.norm(mixture)
        items.append(maker.derived_item([int(p) for p in parents], weights.tolist(), base))
    return items, vectors


def piece_vectors(
    texts: Sequence[str], vectors: np.ndarray, *, noise: float = 0.5, seed: int = 11
) -> Pieces:
    """Stand-ins for the piece vectors of texts (`indexer.records.text_pieces`) of these vectors,
    so a synthetic index holds as many pieces as real texts would give, without embedding them.

    Each piece is its text's vector plus Gaussian noise of expected norm `noise`, renormalised:
    a mixture like the derived items' own vectors, near its text's as a sentence of a text is
    (median cosine about 0.9), and no closer to a query than the text is on average.
    """
    rng = np.random.default_rng(seed)
    dimension = vectors.shape[1]
    counts = np.array([len(text_pieces(t)) for t in texts], dtype=np.int64)
    owners = np.repeat(np.arange(len(texts)), counts)
    pieces = vectors[owners] + rng.normal(0.0, noise / np.sqrt(dimension), (len(owners), dimension))
    pieces /= np.linalg.norm(pieces, axis=1, keepdims=True)
    return Pieces(pieces.astype(np.float32), counts)


def to_documents(items: Sequence[Item]) -> list[Document]:
    documents = []
    for number, item in enumerate(items):
        organisation, sector, area = item.placement
        documents.append(
            Document(
                kind=item.kind,
                id=f"s{number:06d}",
                title=item.title,
                text=item.text,
                body=" ".join(item.sentences) if item.kind != "person" else ", ".join(item.phrases),
                organisation=organisation,
                sector=sector,
                area=area,
                unit_id=None if item.kind == "unit" else "s-unit",
                unit_name=None if item.kind == "unit" else "Syntetisk enhed",
            )
        )
    return documents


# Queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    text: str
    category: str  # "phrase", "fragment", "name" or "typo"


def make_queries(
    sources: Sources, items: Sequence[Item], count: int, seed: int = 99
) -> list[Query]:
    """Distinct Danish queries: recombined phrases, sentence fragments, exact names, typos.

    Every text is distinct, so a fresh Searcher never answers from its query-vector cache.
    """
    rng = random.Random(seed)
    names = [i.title for i in items if i.kind in ("person", "unit")]
    shares = {"phrase": 0.35, "fragment": 0.25, "name": 0.25, "typo": 0.15}
    wanted = {c: round(count * s) for c, s in shares.items()}
    wanted["phrase"] += count - sum(wanted.values())
    queries: list[Query] = []
    seen: set[str] = set()
    for category, n in wanted.items():
        made = 0
        while made < n:
            if category == "phrase":
                parts = rng.sample(sources.phrases, rng.randint(1, 2))
                joiner = rng.choice((" og ", " til ", " med ", " ", " for "))
                text = joiner.join(p.lower() for p in parts)
            elif category == "fragment":
                text = _fragment(rng, rng.choice(sources.sentences))
            elif category == "name":
                text = rng.choice(names)
            else:
                text = _typo(rng, _fragment(rng, rng.choice(sources.sentences)))
            key = " ".join(text.split()).lower()
            if key and key not in seen:
                seen.add(key)
                queries.append(Query(text, category))
                made += 1
    rng.shuffle(queries)
    return queries


def _fragment(rng: random.Random, sentence: str) -> str:
    words = sentence.rstrip(".!?").split()
    length = min(len(words), rng.randint(4, 8))
    start = rng.randint(0, len(words) - length)
    return " ".join(words[start : start + length]).strip(",;:").lower()


def _typo(rng: random.Random, text: str) -> str:
    """One edit (swap, drop, double or replace a letter) inside the longest word."""
    words = text.split()
    target = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[target]
    if len(word) < 5:
        return text + "e"
    pos = rng.randint(1, len(word) - 2)
    edit = rng.choice(("swap", "drop", "double", "replace"))
    if edit == "swap":
        word = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    elif edit == "drop":
        word = word[:pos] + word[pos + 1 :]
    elif edit == "double":
        word = word[:pos] + word[pos] + word[pos:]
    else:
        word = word[:pos] + rng.choice("aeioøæå") + word[pos + 1 :]
    words[target] = word
    return " ".join(words)
