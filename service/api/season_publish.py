"""A season after review: publishing the chosen scenario, the answers per pair, second rounds,
and the evaluation after the week."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from service.api.deps import StateDep
from service.api.state import ServiceState, actor_of
from service.auth import Coordinator
from service.season.publish import PublishedPair, RoundResult

router = APIRouter(prefix="/api/seasons/{season_id}", tags=["praktik"])
SeasonId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # an SQL INTEGER
Answer = Literal["accept", "decline", "withdraw"]


class PublishIn(BaseModel):
    scenario_id: str = Field(min_length=1, max_length=64)


class RoundPublic(BaseModel):
    round: int
    new_pairs: int
    kept_pairs: int
    unmatched: int
    letters: int
    without_address: list[str]

    @classmethod
    def of(cls, result: RoundResult) -> RoundPublic:
        return cls(
            round=result.round,
            new_pairs=len(result.new_pairs),
            kept_pairs=result.kept,
            unmatched=result.unmatched,
            letters=result.letters,
            without_address=result.without_address,
        )


class PublishedPairPublic(BaseModel):
    intern_id: str
    host_id: str
    round: int
    duration: int
    cross_sector: bool
    wished_rank: int | None
    reason: str
    intern_answer: Answer | None
    intern_reason: str | None
    host_answer: Answer | None
    host_reason: str | None
    status: Literal["accepted", "declined", "waiting"]

    @classmethod
    def of(cls, pair: PublishedPair) -> PublishedPairPublic:
        return cls(**asdict(pair), status=pair.status)


def base_url(state: ServiceState, request: Request) -> str:
    """Where the links in letters point: TVAERS_PUBLIC_URL behind a proxy, else this request's."""
    return state.settings.public_url or str(request.base_url)


@router.post("/publish", response_model=RoundPublic, summary="Offentliggør et scenarie")
def publish(
    season_id: SeasonId, body: PublishIn, request: Request, state: StateDep, user: Coordinator
) -> RoundPublic:
    """Each intern and host gets a letter with a personal answer link; the season moves on."""
    result = state.season_publishing.publish(
        season_id, body.scenario_id, base_url(state, request), actor_of(user)
    )
    state.mail.wake()
    return RoundPublic.of(result)


@router.get("/pairs", response_model=list[PublishedPairPublic], summary="Offentliggjorte par")
def pairs(season_id: SeasonId, state: StateDep, _: Coordinator) -> list[PublishedPairPublic]:
    return [PublishedPairPublic.of(p) for p in state.season_publishing.pairs(season_id)]


@router.post("/rounds", response_model=RoundPublic, summary="Ny runde for de ledige pladser")
async def second_round(
    season_id: SeasonId, request: Request, state: StateDep, user: Coordinator
) -> RoundPublic:
    """Every pair still standing and every lock kept; declined pairs never come back."""
    result = await run_in_threadpool(
        state.season_publishing.second_round,
        season_id,
        state.pairing_embedder,
        base_url(state, request),
        actor_of(user),
    )
    state.mail.wake()
    return RoundPublic.of(result)


class InvitationsPublic(BaseModel):
    letters: int


@router.post(
    "/reminders", response_model=InvitationsPublic, summary="Mind dem, der ikke har svaret"
)
def remind(
    season_id: SeasonId, request: Request, state: StateDep, user: Coordinator
) -> InvitationsPublic:
    """A fresh answer link to everyone who has not answered a pair still standing."""
    letters = state.season_publishing.remind(season_id, base_url(state, request), actor_of(user))
    state.mail.wake()
    return InvitationsPublic(letters=letters)


@router.post(
    "/evaluation/invitations",
    response_model=InvitationsPublic,
    summary="Send evalueringen til deltagerne",
)
def invite_to_evaluation(
    season_id: SeasonId, request: Request, state: StateDep, user: Coordinator
) -> InvitationsPublic:
    """A personal link to each participant in a pair nobody declined (once each)."""
    letters = state.season_evaluation.invite(season_id, base_url(state, request), actor_of(user))
    state.mail.wake()
    return InvitationsPublic(letters=letters)


@router.get("/evaluation", summary="Evalueringens tal ved siden af de kendte")
def evaluation(season_id: SeasonId, state: StateDep, _: Coordinator) -> dict[str, Any]:
    return asdict(state.season_evaluation.summary(season_id))


class LettersIn(BaseModel):
    """A letter's text: first line `Emne: …`, then the body with {{ fields }}; null: the
    built-in text."""

    intern_letter: str | None = Field(default=None, max_length=20_000)
    host_letter: str | None = Field(default=None, max_length=20_000)


class LettersPublic(BaseModel):
    intern_letter: str
    host_letter: str


@router.get("/letters", response_model=LettersPublic, summary="Brevene, der sendes ud")
def letters(season_id: SeasonId, state: StateDep, _: Coordinator) -> LettersPublic:
    texts = state.season_publishing.letters(season_id)
    return LettersPublic(intern_letter=texts["intern"], host_letter=texts["host"])


@router.put("/letters", response_model=LettersPublic, summary="Ret brevene (null: standardtekst)")
def set_letters(
    season_id: SeasonId, body: LettersIn, state: StateDep, user: Coordinator
) -> LettersPublic:
    texts = state.season_publishing.set_letters(
        season_id,
        {"intern": body.intern_letter or None, "host": body.host_letter or None},
        actor_of(user),
    )
    return LettersPublic(intern_letter=texts["intern"], host_letter=texts["host"])
