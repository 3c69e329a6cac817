"""Registrations for the Innovationspraktik as the API and the pages take and give them: one set
of rules (limits here, the week's rules in service.season.registration) for both."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

Sector = Literal["kommune", "region", "stat"]  # indexer.records.SECTORS
MAX_DAYS = 5  # a visit lasts at most the week
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)


def _one_line(value: str) -> str:
    return " ".join(value.split())


class HostRegistration(BaseModel):
    """A workplace's offer: 1–3 places for visits of the lengths it allows."""

    organisation: str = Field(min_length=1, max_length=200, examples=["Faxe Kommune"])
    unit_name: str = Field(min_length=1, max_length=200, examples=["Hjemmeplejen Nat"])
    unit_id: str = Field(default="", max_length=200, description="enheden i tvaers, hvis valgt")
    sector: Sector
    offer: str = Field(min_length=1, max_length=4000, description="hvad praktikanten kan se")
    capacity: int = Field(ge=1, le=3, description="pladser")
    durations: list[int] = Field(min_length=1, max_length=MAX_DAYS, description="dage, fx [1, 2]")
    contact_name: str = Field(min_length=1, max_length=200)
    contact_email: str = Email
    contact_phone: str = Field(default="", max_length=40)

    _lines = field_validator("organisation", "unit_name", "contact_name", "contact_phone")(
        _one_line
    )

    @field_validator("durations")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(not 1 <= d <= MAX_DAYS for d in value):
            raise ValueError(f"Vælg varigheder på 1–{MAX_DAYS} dage.")
        return sorted(set(value))

    @field_validator("contact_email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class InternRegistration(BaseModel):
    """A visiting employee's wish: what to learn, for how long, up to three hosts in order, and
    hosts they must not go to (with the reason the coordinator reads)."""

    name: str = Field(min_length=1, max_length=200)
    email: str = Email
    organisation: str = Field(min_length=1, max_length=200)
    sector: Sector
    wish: str = Field(min_length=1, max_length=4000, description="hvad de vil lære")
    duration: int = Field(ge=1, le=MAX_DAYS, description="dage")
    wished_hosts: list[str] = Field(default=[], max_length=3, description="værts-id'er i orden")
    excluded_hosts: list[str] = Field(default=[], max_length=10)
    exclusion_reason: str = Field(default="", max_length=500)

    _lines = field_validator("name", "organisation", "exclusion_reason")(_one_line)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("wished_hosts", "excluded_hosts")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in value if v.strip()))


class LinkRequest(BaseModel):
    email: str = Email


class LinkAnswer(BaseModel):
    detail: str


class HostChoice(BaseModel):
    """A host of the season as interns pick them (no contact details)."""

    id: str
    unit_name: str
    organisation: str
    sector: str
    durations: list[int]


class HostChoices(BaseModel):
    data: list[HostChoice]
    count: int


class RegistrationsPublic(BaseModel):
    """The caller's own registrations in the current season."""

    season_id: int
    season_name: str
    phase: str
    phase_label: str
    registration_deadline: str
    open: bool
    closed_because: str | None
    email: str | None = Field(description="adressen, et personligt link bekræftede")
    host: HostRegistration | None
    host_id: str | None
    intern: InternRegistration | None
    intern_id: str | None
