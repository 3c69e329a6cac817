"""Typed records (what the data folder and the database hold) and the searchable view of them."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

Kind = Literal["unit", "person", "trial"]
KINDS: tuple[Kind, ...] = ("unit", "person", "trial")

REQUIRED_COLUMNS: dict[Kind, tuple[str, ...]] = {
    "unit": (
        "id",
        "name",
        "organisation",
        "sector",
        "area",
        "description",
        "competencies",
        "contact_name",
        "contact_email",
    ),
    "person": ("id", "name", "title", "unit_id", "expertise", "email"),
    "trial": ("id", "title", "unit_id", "description", "status", "year", "learnings"),
}
# Columns that must hold text: a record without them cannot be found or shown.
NON_EMPTY_COLUMNS: dict[Kind, tuple[str, ...]] = {
    "unit": ("id", "name", "organisation", "description"),
    "person": ("id", "name", "unit_id", "expertise"),
    "trial": ("id", "title", "unit_id", "description"),
}
SECTORS = ("kommune", "region", "stat")
TRIAL_STATUSES = ("planlagt", "igangværende", "afsluttet")


@dataclass(frozen=True)
class Record:
    """One row: a unit, a person or a trial action, with every column as given (extras included)."""

    kind: Kind
    id: str
    fields: dict[str, str]

    def get(self, column: str) -> str:
        return self.fields.get(column, "")

    @property
    def extra(self) -> dict[str, str]:
        """Columns beyond the required ones: kept as metadata and returned with hits."""
        required = REQUIRED_COLUMNS[self.kind]
        return {k: v for k, v in self.fields.items() if k not in required}


@dataclass(frozen=True)
class Document:
    """The searchable view of a record: what is embedded, matched and shown."""

    kind: Kind
    id: str
    title: str
    text: str  # embedded and lexically indexed
    body: str  # shown in snippets (the record's own prose)
    organisation: str
    sector: str
    area: str
    unit_id: str | None = None
    unit_name: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Ids are unique per kind, so the index keys documents by kind and id together."""
        return f"{self.kind}:{self.id}"

    @cached_property
    def words(self) -> str:
        """The text the lexical index holds: the embedded text without the labels tvaers writes
        into it itself ("Prøvehandling i …", "Kompetencer:", "Læring:"), so that "prøvet" or
        "læring" do not match every trial through words nobody wrote."""
        text = self.text
        for label in TEXT_LABELS:
            text = text.replace(label, " ")
        return text

    @cached_property
    def own_text(self) -> str:
        """What the record itself says, without what it inherits from its unit: a trial's
        title, description and learnings; a person's job title and expertise; a unit's
        description and competencies. What a recommendation's reason may quote."""
        fields = self.metadata
        if self.kind == "trial":
            parts = [fields.get(k, "") for k in ("title", "description", "learnings")]
        elif self.kind == "person":
            parts = [fields.get("title", ""), *split_list(fields.get("expertise", ""))]
        else:
            parts = [fields.get("description", ""), *split_list(fields.get("competencies", ""))]
        return ". ".join(p.strip() for p in parts if p.strip())

    @cached_property
    def content_hash(self) -> str:
        """Asked for on every write and index build; the text never changes (frozen)."""
        return content_hash(self.text)


# What `_to_document` writes into a document's text around the record's own words.
TRIAL_LABEL, COMPETENCIES_LABEL, LEARNINGS_LABEL = "Prøvehandling i ", "Kompetencer: ", "Læring: "
TEXT_LABELS = (TRIAL_LABEL, COMPETENCIES_LABEL, LEARNINGS_LABEL)

# Embeddings, overrides and isolates of the Unicode bidi algorithm: they can make a name read
# backwards on screen ("RLO spoofing") and have no place in Danish text.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
NUL_MESSAGE = "teksten indeholder et NUL-tegn (\\0), som ikke kan gemmes; fjern det, og prøv igen"


def clean_text(text: str) -> str:
    """Every text as it enters: NFC-normalised, without bidi controls (NUL is refused apart)."""
    return _BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", text))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# A document's pieces: its sentences after the first, each with the document's title before it.
MAX_PIECES = 8  # the sample's longest text has 7; a longer one keeps its first 8
MIN_PIECE_CHARS = 16  # shorter "sentences" are headers ("Faxe Kommune.") or list fragments
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def text_pieces(text: str) -> list[str]:
    """The passages embedded beside a text, so a search can match one of its topics.

    One vector for a visitkort of several topics blurs the one a paraphrase asks about; a
    sentence alone loses whose it is, hence the title before it. A pure function of the text,
    because the embedding cache keeps a text's pieces under the text's content hash. The first
    sentence of `MIN_PIECE_CHARS` or more is left out: mostly the header the document's own
    vector holds best (a unit's name, a person's name and job, a trial's "Prøvehandling i").
    """
    sentences = [s.strip() for s in _SENTENCE_END.split(text)]
    sentences = [s for s in sentences if len(s) >= MIN_PIECE_CHARS]
    title = text.split(".")[0]
    pieces = [f"{title}. {sentence}" for sentence in sentences[1 : MAX_PIECES + 1]]
    return [p for p in pieces if p != text]  # a person's "<name, job>. <expertise>" is one


def split_list(value: str) -> list[str]:
    """List fields (competencies, expertise, wished hosts) are kept as "a;b;c" in one cell."""
    return [part.strip() for part in value.split(";") if part.strip()]


def cell_text(value: object) -> str:
    """A value as one table cell: lists joined with ";", nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _join_list(value: str) -> str:
    return ", ".join(split_list(value))


def documents_from_records(records: list[Record]) -> list[Document]:
    """People and trials inherit organisation, sector and area from their unit."""
    units = {r.id: r for r in records if r.kind == "unit"}
    documents = []
    for record in records:
        unit = units.get(record.get("unit_id")) if record.kind != "unit" else record
        if unit is None:
            raise ValueError(f"{record.kind} {record.id} points to a missing unit")
        documents.append(_to_document(record, unit))
    return documents


def _to_document(record: Record, unit: Record) -> Document:
    unit_name = unit.get("name")
    organisation = unit.get("organisation")
    if record.kind == "unit":
        competencies = _join_list(record.get("competencies"))
        body = record.get("description")
        if competencies:
            body += f" {COMPETENCIES_LABEL}{competencies}."
        text = f"{unit_name}. {organisation}. {record.get('area')}. {body}"
        title = unit_name
    elif record.kind == "person":
        body = _join_list(record.get("expertise")) if ";" in record.get("expertise") else ""
        body = body or record.get("expertise")
        title = record.get("name")
        text = f"{title}, {record.get('title')}, {unit_name} ({organisation}). {body}"
    else:
        title = record.get("title")
        body = record.get("description")
        learnings = record.get("learnings")
        text = f"{title}. {TRIAL_LABEL}{unit_name}, {organisation}. {body}"
        if learnings:
            text += f" {LEARNINGS_LABEL}{learnings}"
            body += f" {LEARNINGS_LABEL}{learnings}"
    metadata = {k: v for k, v in record.fields.items() if k != "id"}
    return Document(
        kind=record.kind,
        id=record.id,
        title=title,
        text=text,
        body=body,
        organisation=organisation,
        sector=unit.get("sector"),
        area=unit.get("area"),
        unit_id=None if record.kind == "unit" else unit.id,
        unit_name=None if record.kind == "unit" else unit_name,
        metadata=metadata,
    )
