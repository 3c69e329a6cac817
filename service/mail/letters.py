"""Messages in Danish from templates: service/templates/mail/<name>.txt, or a coordinator's own
text. A template's first line is `Emne: …`, then a blank line, then the body (Jinja2, sandboxed:
a coordinator's text can fill in fields but reach nothing else)."""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from indexer.errors import TvaersError
from service.mail.outbox import Message

MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
SUBJECT_PREFIX = "Emne:"

_env = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, trim_blocks=True, keep_trailing_newline=True
)


class TemplateProblem(TvaersError):
    """A coordinator's letter that cannot be filled in (the message says where, in Danish)."""


def danish_date(day: dt.date) -> str:
    """13. september 2027"""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


_env.filters["dato"] = danish_date


@functools.cache
def builtin_template(name: str) -> str:
    return (resources.files("service") / "templates" / "mail" / f"{name}.txt").read_text("utf-8")


@functools.lru_cache(maxsize=64)
def _compiled(template: str) -> Template:
    """A publish fills one text thousands of times: compiled once (about 5 ms each)."""
    return _env.from_string(template)


def render_text(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a template filled with `context`."""
    try:
        text = _compiled(template).render(**context)
    except TemplateError as exc:
        raise TemplateProblem(f"Brevskabelonen kan ikke udfyldes: {exc}") from exc
    first, _, body = text.lstrip().partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        raise TemplateProblem(
            f"Brevskabelonens første linje skal begynde med '{SUBJECT_PREFIX}' (fx "
            "'Emne: Din plads i Innovationspraktikken')."
        )
    subject = " ".join(first.removeprefix(SUBJECT_PREFIX).split())
    return subject[:300], body.strip() + "\n"


def render_message(
    to_address: str,
    topic: str,
    context: dict[str, Any],
    *,
    template: str | None = None,
    name: str | None = None,
    season_id: int | None = None,
) -> Message:
    """A message from a coordinator's `template`, or the built-in one called `name`."""
    if template is None:
        if name is None:
            raise ValueError("render_message needs a template or a built-in name")
        template = builtin_template(name)
    subject, body = render_text(template, context)
    return Message(to_address, subject, body, topic, season_id)
