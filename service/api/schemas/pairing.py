"""Innovationspraktik pairing: the week as JSON, and the proposal as an answer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.api.schemas.text import Clean

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), Clean]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), Clean]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), Clean]
Days = Annotated[int, Field(ge=1, le=60)]
Mode = Literal["optimal", "stable"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HostIn(_Strict):
    id: Id
    organisation: Text
    unit_name: Text = ""
    sector: Text = ""
    offer: LongText
    capacity: Annotated[int, Field(ge=1, le=3)]
    durations: Annotated[list[Days], Field(min_length=1, max_length=10)]
    contact_email: Text = ""


class InternIn(_Strict):
    id: Id
    name: Text = ""
    organisation: Text
    sector: Text = ""
    wish: LongText
    duration: Days
    wished_hosts: Annotated[list[Id], Field(max_length=20)] = Field(default_factory=list)
    excluded_hosts: Annotated[list[Id], Field(max_length=50)] = Field(default_factory=list)


class LockIn(_Strict):
    intern_id: Id
    host_id: Id


class PairingRequest(_Strict):
    """The same week as hosts.csv, interns.csv and locks.csv, as JSON."""

    hosts: Annotated[list[HostIn], Field(min_length=1, max_length=2000)]
    interns: Annotated[list[InternIn], Field(min_length=1, max_length=5000)]
    locks: Annotated[list[LockIn], Field(max_length=5000)] = Field(default_factory=list)
    mode: Mode = "optimal"


class PairPublic(BaseModel):
    intern_id: str
    intern_name: str
    intern_organisation: str
    intern_sector: str
    host_id: str
    host_unit: str
    host_organisation: str
    host_sector: str
    duration: int
    fit: float
    semantic: float
    host_rank: int
    wished_rank: int | None
    cross_sector: bool
    locked: bool
    reason: str


class UnmatchedPublic(BaseModel):
    intern_id: str
    intern_name: str
    reason: str


class PairingStatsPublic(BaseModel):
    mode: Mode
    interns: int
    hosts: int
    places: int
    matched: int
    matched_share: float
    mean_fit: float
    cross_sector_share: float
    with_wishes: int
    got_wished_host: int
    locks_kept: int
    blocking_pairs: int
    places_used: dict[str, int]


class Downloads(BaseModel):
    csv: str
    xlsx: str


class PairingPublic(BaseModel):
    id: str  # for downloading the same proposal as CSV or Excel
    pairs: list[PairPublic]
    unmatched: list[UnmatchedPublic]
    stats: PairingStatsPublic
    blocking_pairs: list[tuple[str, str]]
    model_id: str
    downloads: Downloads


class ProposalDeleted(BaseModel):
    id: str
    message: str
