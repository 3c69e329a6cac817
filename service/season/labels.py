"""The Danish words for a season's phases, as pages, API answers and letters use them."""

from __future__ import annotations

from engine.season import Phase

PHASE_LABELS: dict[Phase, str] = {
    "registration_open": "Tilmelding åben",
    "registration_closed": "Tilmelding lukket",
    "review": "Gennemgang af forslag",
    "published": "Par offentliggjort",
    "week": "Praktikugen",
    "evaluation": "Evaluering",
    "archived": "Arkiveret",
}
# What the button that moves a season on from each phase says (none from archived).
NEXT_STEP_LABELS: dict[Phase, str] = {
    "registration_open": "Luk tilmeldingen",
    "registration_closed": "Begynd gennemgangen",
    "review": "Offentliggør parrene",
    "published": "Start praktikugen",
    "week": "Åbn evalueringen",
    "evaluation": "Arkivér sæsonen",
}
# A participant's answer to a published pair.
ANSWER_LABELS = {"accept": "ja tak", "decline": "nej tak", "withdraw": "kan ikke deltage i år"}
