"""Units, people and trial actions: what a client sends (Create, Update) and gets (Public)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from indexer.records import REQUIRED_COLUMNS, Kind
from service.api.schemas.text import Clean

RecordId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"),
    Clean,
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), Clean]
RequiredText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Clean
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), Clean
]
OptionalLongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), Clean]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), Clean]
ListItem = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^;]*$"),
    Clean,
]
MetadataKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"), Clean]
MetadataValue = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), Clean]
Metadata = Annotated[dict[MetadataKey, MetadataValue], Field(max_length=30)]
Sector = Literal["kommune", "region", "stat"]
Status = Literal["planlagt", "igangværende", "afsluttet"]
Year = Annotated[int, Field(ge=1900, le=2100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _WithMetadata(_Strict):
    """Extra columns (address, phone, …) travel as metadata, as in the data folder."""

    record_kind: ClassVar[Kind] = "unit"
    metadata: Metadata | None = None

    @model_validator(mode="after")
    def _metadata_is_not_a_column(self) -> Any:
        clash = sorted(set(self.metadata or {}) & set(REQUIRED_COLUMNS[self.record_kind]))
        if clash:
            raise ValueError(f"metadata må ikke hedde som en kolonne: {', '.join(clash)}")
        return self


# Units -----------------------------------------------------------------------------------


class UnitUpdate(_WithMetadata):
    """PUT: fields left out keep their value."""

    name: RequiredText | None = None
    organisation: RequiredText | None = None
    sector: Sector | None = None
    area: ShortText | None = None
    description: LongText | None = None
    competencies: Annotated[list[ListItem], Field(max_length=50)] | None = None
    contact_name: ShortText | None = None
    contact_email: Email | None = None


class UnitCreate(_WithMetadata):
    id: RecordId
    name: RequiredText
    organisation: RequiredText
    sector: Sector
    area: ShortText = ""
    description: LongText
    competencies: Annotated[list[ListItem], Field(max_length=50)] = Field(default_factory=list)
    contact_name: ShortText = ""
    contact_email: Email = ""


class UnitPublic(BaseModel):
    id: str
    name: str
    organisation: str
    sector: str
    area: str
    description: str
    competencies: list[str]
    contact_name: str
    contact_email: str
    metadata: dict[str, str]
    version: str = Field(description="Postens version (som ETag); send den i If-Match ved PUT")
    confirmed_at: dt.datetime | None = Field(
        None, description="Hvornår posten sidst blev bekræftet (UTC)"
    )
    confirmed_by: str | None = Field(None, description="Hvem der sidst bekræftede posten")


# People ----------------------------------------------------------------------------------


class PersonUpdate(_WithMetadata):
    record_kind: ClassVar[Kind] = "person"
    name: RequiredText | None = None
    title: ShortText | None = None
    unit_id: RecordId | None = None
    expertise: Annotated[list[ListItem], Field(min_length=1, max_length=50)] | None = None
    email: Email | None = None


class PersonCreate(_WithMetadata):
    record_kind: ClassVar[Kind] = "person"
    id: RecordId
    name: RequiredText
    title: ShortText = ""
    unit_id: RecordId
    expertise: Annotated[list[ListItem], Field(min_length=1, max_length=50)]
    email: Email = ""


class PersonPublic(BaseModel):
    id: str
    name: str
    title: str
    unit_id: str
    unit_name: str
    organisation: str
    expertise: list[str]
    email: str
    metadata: dict[str, str]
    version: str = Field(description="Postens version (som ETag); send den i If-Match ved PUT")
    confirmed_at: dt.datetime | None = Field(
        None, description="Hvornår posten sidst blev bekræftet (UTC)"
    )
    confirmed_by: str | None = Field(None, description="Hvem der sidst bekræftede posten")


# Trial actions ---------------------------------------------------------------------------


class TrialUpdate(_WithMetadata):
    record_kind: ClassVar[Kind] = "trial"
    title: RequiredText | None = None
    unit_id: RecordId | None = None
    description: LongText | None = None
    status: Status | None = None
    year: Year | None = None
    learnings: OptionalLongText | None = None


class TrialCreate(_WithMetadata):
    record_kind: ClassVar[Kind] = "trial"
    id: RecordId
    title: RequiredText
    unit_id: RecordId
    description: LongText
    status: Status = "planlagt"
    year: Year | None = None
    learnings: OptionalLongText = ""


class TrialPublic(BaseModel):
    id: str
    title: str
    unit_id: str
    unit_name: str
    organisation: str
    description: str
    status: str
    year: int | None
    learnings: str
    metadata: dict[str, str]
    version: str = Field(description="Postens version (som ETag); send den i If-Match ved PUT")
    confirmed_at: dt.datetime | None = Field(
        None, description="Hvornår posten sidst blev bekræftet (UTC)"
    )
    confirmed_by: str | None = Field(None, description="Hvem der sidst bekræftede posten")


class UnitDetail(UnitPublic):
    """A unit with its people and trial actions."""

    people: list[PersonPublic]
    trials: list[TrialPublic]


class Deleted(BaseModel):
    id: str
    deleted: Literal[True] = True
    message: str


class ClearedPublic(BaseModel):
    """Fields of another record that named the erased person and are now empty."""

    kind: Kind
    id: str
    fields: list[str]


class PersonDeleted(Deleted):
    cleared: list[ClearedPublic]
    proposals_dropped: int
