"""The sample week: when a home is indexed from the bundled data/sample (and only then), its
hosts and interns become a sample season in review, with the sample's locks and one proposal,
so a first `make run` shows /praktik with a season and a proposal at once.

A real deployment's data is never touched: the folder must be this repository's data/sample
itself. Loading twice changes nothing (a season of that name is left alone).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from engine.pairing import PairingWeights
from engine.season import SeasonDates
from indexer.audit import Actor
from indexer.embedders import Embedder
from indexer.schema import seasons_table
from indexer.tables import read_table
from service.season.book import Season, SeasonBook
from service.season.review import ScenarioSpec, SeasonReview

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
SAMPLE_SEASON = "Eksempel: Innovationspraktik, uge 37"
SAMPLE_ACTOR = Actor("tvaers", "Eksempeldata")
LOCK_REASON = "Aftalt med værten i eksemplet"
WEEK_NUMBER = 37


def is_bundled_sample(folder: Path) -> bool:
    week = SAMPLE_DIR / "week"
    return (
        folder.resolve() == SAMPLE_DIR.resolve()
        and (week / "hosts.csv").is_file()
        and (week / "interns.csv").is_file()
    )


def sample_dates(today: dt.date) -> SeasonDates:
    """Registration closed yesterday; the week is the next week 37 after it."""
    year = (
        today.year
        if today < dt.date.fromisocalendar(today.year, WEEK_NUMBER, 1)
        else today.year + 1
    )
    starts = dt.date.fromisocalendar(year, WEEK_NUMBER, 1)
    return SeasonDates(
        today - dt.timedelta(days=30),
        today - dt.timedelta(days=1),
        starts,
        starts + dt.timedelta(days=4),
    )


def load_sample_season(
    engine: sa.Engine, embedder: Embedder, weights: PairingWeights, today: dt.date
) -> Season | None:
    """The sample season in review with one proposal; None when it exists already."""
    with engine.connect() as conn:
        exists = conn.execute(
            sa.select(seasons_table.c.id).where(seasons_table.c.name == SAMPLE_SEASON)
        ).first()
    if exists is not None:
        return None
    week = SAMPLE_DIR / "week"
    book, review = SeasonBook(engine), SeasonReview(engine)
    season = book.create(SAMPLE_SEASON, sample_dates(today), SAMPLE_ACTOR, current=True)
    review.import_participants(
        season.id, read_table(week / "hosts.csv"), read_table(week / "interns.csv"), SAMPLE_ACTOR
    )
    season = book.advance(season.id, "registration_open", SAMPLE_ACTOR)
    season = book.advance(season.id, "registration_closed", SAMPLE_ACTOR)
    if (week / "locks.csv").is_file():
        for row in read_table(week / "locks.csv").rows:
            values = row.values
            review.lock(
                season.id, values["intern_id"], values["host_id"], LOCK_REASON, SAMPLE_ACTOR
            )
    review.run(season.id, ScenarioSpec("Bedst samlet", "optimal", weights), embedder, SAMPLE_ACTOR)
    return season
