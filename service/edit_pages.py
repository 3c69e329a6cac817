"""Edit pages in Danish: a unit editor edits their unit's visitkort, people and trial actions.

Every form carries the CSRF token and the record's version (hidden); a stale save shows both
versions side by side and lets the user save theirs on top deliberately. "Det passer stadig"
confirms a record; /mine flags its editors' stale records; admins see /admin/foraeldede and
/admin/log. Anyone not allowed to edit the unit gets 403, also on a direct POST.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, TypeAdapter, ValidationError

from indexer.errors import AlreadyExistsError, DataError, NotFoundError, VersionConflictError
from indexer.freshness import Confirmation
from indexer.plans import utc_now as now
from indexer.records import TRIAL_STATUSES, Record, split_list
from indexer.store import version_of
from service.api.deps import get_state
from service.api.schemas.records import PersonUpdate, RecordId, TrialUpdate, UnitUpdate
from service.api.state import ServiceState, actor_of
from service.auth import Role, User, check_can_edit, require_role, verify_csrf
from service.auth.session import USER_KEY
from service.web import render_error, templates

router = APIRouter(include_in_schema=False)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KIND_WORDS = {"unit": "visitkort", "person": "kollega", "trial": "prøvehandling"}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    widget: str = "text"  # text, textarea, email, select, number
    required: bool = False
    hint: str = ""
    choices: tuple[str, ...] = ()


FIELDS: dict[str, tuple[FormField, ...]] = {
    "unit": (
        FormField("description", "Beskrivelse", "textarea", required=True),
        FormField("competencies", "Kompetencer", hint="Adskil med semikolon: a; b; c"),
        FormField("contact_name", "Kontaktperson"),
        FormField("contact_email", "Kontaktens e-mail", "email"),
    ),
    "person": (
        FormField("name", "Navn", required=True),
        FormField("title", "Titel"),
        FormField("expertise", "Ved noget om", required=True, hint="Adskil med semikolon: a; b; c"),
        FormField("email", "E-mail", "email"),
    ),
    "trial": (
        FormField("title", "Titel", required=True),
        FormField("description", "Beskrivelse", "textarea", required=True),
        FormField("status", "Status", "select", required=True, choices=TRIAL_STATUSES),
        FormField("year", "År", "number"),
        FormField("learnings", "Læring", "textarea"),
    ),
}


def _user(request: Request) -> User | None:
    user: User | None = request.scope.get(USER_KEY)
    return user


def may_edit(request: Request, unit_id: str) -> bool:
    user = _user(request)
    return user is not None and user.can_edit(unit_id)


def confirmed_label(confirmed: Confirmation | None) -> str:
    if confirmed is None:
        return "Aldrig bekræftet"
    return f"Sidst bekræftet {confirmed.confirmed_at:%d-%m-%Y} af {confirmed.confirmed_by}"


def confirmed_label_of(public: Any) -> str:
    """For an API-shaped record (UnitPublic, PersonPublic, TrialPublic, HitPublic)."""
    at, by = getattr(public, "confirmed_at", None), getattr(public, "confirmed_by", None)
    return confirmed_label(Confirmation(at, by or "") if at else None)


templates.env.globals.update(
    may_edit=may_edit, confirmed_label=confirmed_label, confirmed_label_of=confirmed_label_of
)


def _editor(request: Request, unit_id: str) -> User:
    """401 when not signed in, 403 unless the user edits this unit (pages and direct posts)."""
    user = _user(request)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Log ind for at rette.")
    check_can_edit(user, unit_id)
    return user


def _unit_of(record: Record) -> str:
    return record.id if record.kind == "unit" else record.get("unit_id")


def _values(record: Record | None, kind: str) -> dict[str, str]:
    return {f.name: record.get(f.name) if record else "" for f in FIELDS[kind]}


UPDATE_SCHEMAS: dict[str, type[BaseModel]] = {
    "unit": UnitUpdate,
    "person": PersonUpdate,
    "trial": TrialUpdate,
}
LIST_FIELDS = ("competencies", "expertise")
_RECORD_ID: TypeAdapter[str] = TypeAdapter(RecordId)


def validate(kind: str, values: dict[str, str]) -> dict[str, str]:
    """Field → Danish message saying how to fix it. The API's schema (service/api/schemas/
    records.py) is the one rule for text, lengths and choices; this adds the form's wording.
    On success `values` holds the texts as the API would store them (NFC, no bidi controls)."""
    errors: dict[str, str] = {}
    for f in FIELDS[kind]:
        value = values.get(f.name, "").strip()
        if f.required and not value:
            errors[f.name] = f"{f.label} skal udfyldes."
        elif f.widget == "email" and value and not EMAIL.match(value):
            errors[f.name] = "Skriv en e-mailadresse som navn@kommune.dk."
        elif f.widget == "select" and value and value not in f.choices:
            errors[f.name] = "Vælg en af: " + ", ".join(f.choices) + "."
        elif f.name == "year" and value and not (value.isdigit() and 1900 <= int(value) <= 2100):
            errors[f.name] = "Skriv et årstal med fire cifre, fx 2025."
    if errors:
        return errors
    sent: dict[str, object] = {}
    for f in FIELDS[kind]:
        value = values.get(f.name, "").strip()
        if f.name in LIST_FIELDS:
            sent[f.name] = split_list(value)
        elif f.name == "year":
            sent[f.name] = int(value) if value else None
        elif value or not f.required:
            sent[f.name] = value
    try:
        checked = UPDATE_SCHEMAS[kind].model_validate(sent)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            name = str(error["loc"][0]) if error["loc"] else "_"
            label = next((f.label for f in FIELDS[kind] if f.name == name), name)
            errors.setdefault(name, f"{label}: {_danish(error)}")
        return errors
    for name, value in checked.model_dump(exclude_unset=True).items():
        if isinstance(value, list):
            values[name] = "; ".join(value)
        elif isinstance(value, str):
            values[name] = value
    return errors


def _danish(error: Any) -> str:
    """The schema's refusal in Danish, saying what to do."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    if kind == "string_too_long":
        return f"højst {ctx.get('max_length')} tegn."
    if kind == "too_long":
        return f"højst {ctx.get('max_length')} punkter."
    if kind == "string_pattern_mismatch":
        return "tegnet ; kan ikke bruges inde i et punkt (det adskiller punkterne)."
    return "ugyldig værdi; ret den, og prøv igen."


def valid_new_id(value: str) -> bool:
    """The API's id rule (RecordId), on the page too."""
    try:
        _RECORD_ID.validate_python(value)
    except ValidationError:
        return False
    return True


def _form_page(
    request: Request,
    record: Record | None,
    kind: str,
    unit: Record,
    values: dict[str, str],
    version: str,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    new_id: str = "",
) -> HTMLResponse:
    action = (
        f"/rediger/{kind}/{record.id}" if record is not None else f"/enheder/{unit.id}/ny/{kind}"
    )
    return templates.TemplateResponse(
        request,
        "edit_form.html",
        {
            "record": record,
            "kind": kind,
            "kind_word": KIND_WORDS[kind],
            "unit": unit,
            "fields": FIELDS[kind],
            "values": values,
            "version": version,
            "errors": errors or {},
            "action": action,
            "new_id": new_id,
        },
        status_code=status_code,
    )


def _record_and_unit(state: ServiceState, kind: str, record_id: str) -> tuple[Record, Record]:
    if kind not in FIELDS:
        raise NotFoundError(kind, record_id)
    record = state.record(kind, record_id)  # type: ignore[arg-type]
    unit = record if kind == "unit" else state.record("unit", record.get("unit_id"))
    return record, unit


def _editable(request: Request, kind: str, record_id: str) -> tuple[Record, Record, User]:
    """The record, its unit and the user who may edit it (NotFoundError, 401 or 403)."""
    record, unit = _record_and_unit(get_state(request), kind, record_id)
    return record, unit, _editor(request, unit.id)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    verify_csrf(request, form.get("csrf_token"))
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _problems(exc: DataError, kind: str) -> dict[str, str]:
    names = {f.name for f in FIELDS[kind]}
    errors: dict[str, str] = {}
    for p in exc.problems:
        errors[p.column if p.column in names else "_"] = p.message
    return errors


def _updated(record: Record, kind: str, values: dict[str, str]) -> Record:
    fields = dict(record.fields)
    for f in FIELDS[kind]:
        value = values.get(f.name, "").strip()
        if f.name in ("competencies", "expertise"):
            value = "; ".join(split_list(value))
        fields[f.name] = value
    return Record(record.kind, record.id, fields)


@router.get("/rediger/{kind}/{record_id}", response_class=HTMLResponse)
def edit_page(request: Request, kind: str, record_id: str) -> HTMLResponse:
    try:
        record, unit, _user = _editable(request, kind, record_id)
    except NotFoundError as exc:
        return render_error(request, 404, str(exc))
    return _form_page(request, record, kind, unit, _values(record, kind), version_of(record))


@router.post("/rediger/{kind}/{record_id}", response_class=HTMLResponse)
async def edit_save(request: Request, kind: str, record_id: str) -> Response:
    """The record is read once, in the write: who may edit it and the version are checked on the
    record the save replaces. A refused save reads what its page shows."""
    state = get_state(request)
    if kind not in FIELDS:
        return render_error(request, 404, str(NotFoundError(kind, record_id)))
    user = _signed_in(request)
    values = await _form(request)
    version = values.get("version", "")
    errors = validate(kind, values)
    if errors:
        return _refused(request, kind, record_id, values, version, errors)

    def build(existing: Record | None) -> Record:
        assert existing is not None  # a missing record is a conflict with nothing (below)
        _editor(request, _unit_of(existing))
        return _updated(existing, kind, values)

    try:
        saved = state.update(kind, record_id, build, actor=actor_of(user), expected=version)  # type: ignore[arg-type]
    except VersionConflictError as exc:
        stored = exc.current if isinstance(exc.current, Record) else None
        if stored is None or not isinstance(exc.attempted, Record):
            return render_error(request, 404, str(NotFoundError(kind, record_id)))
        unit = stored if kind == "unit" else state.record("unit", stored.get("unit_id"))
        return _conflict_page(request, kind, unit, exc.attempted, stored, values)
    except DataError as exc:
        return _refused(request, kind, record_id, values, version, _problems(exc, kind))
    return RedirectResponse(_record_page(kind, record_id, saved.unit.id), status.HTTP_303_SEE_OTHER)


def _signed_in(request: Request) -> User:
    user = _user(request)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Log ind for at rette.")
    return user


def _refused(
    request: Request,
    kind: str,
    record_id: str,
    values: dict[str, str],
    version: str,
    errors: dict[str, str],
) -> HTMLResponse:
    """The form again with what to fix (422), for a user who may edit the record."""
    try:
        record, unit, _user = _editable(request, kind, record_id)
    except NotFoundError as exc:
        return render_error(request, 404, str(exc))
    return _form_page(request, record, kind, unit, values, version, errors, 422)


def _record_page(kind: str, record_id: str, unit_id: str) -> str:
    if kind == "unit":
        return f"/enheder/{unit_id}"
    return f"/enheder/{unit_id}#{kind}-{record_id}"


def _conflict_page(
    request: Request,
    kind: str,
    unit: Record,
    yours: Record,
    stored: Record | None,
    values: dict[str, str],
) -> HTMLResponse:
    rows = [
        {
            "label": f.label,
            "yours": yours.get(f.name),
            "stored": stored.get(f.name) if stored else "",
            "differs": stored is None or yours.get(f.name) != stored.get(f.name),
        }
        for f in FIELDS[kind]
    ]
    return templates.TemplateResponse(
        request,
        "edit_conflict.html",
        {
            "kind": kind,
            "kind_word": KIND_WORDS[kind],
            "unit": unit,
            "record_id": yours.id,
            "rows": rows,
            "stored": stored,
            "values": values,
            "fields": FIELDS[kind],
            # Saving again on top of the stored version is a deliberate choice.
            "version": version_of(stored) if stored else "",
        },
        status_code=status.HTTP_409_CONFLICT,
    )


@router.get("/enheder/{unit_id}/ny/{kind}", response_class=HTMLResponse)
def new_page(request: Request, unit_id: str, kind: str) -> HTMLResponse:
    state = get_state(request)
    if kind not in ("person", "trial"):
        return render_error(request, 404, "Man kan kun tilføje kolleger og prøvehandlinger.")
    try:
        unit = state.record("unit", unit_id)
    except NotFoundError as exc:
        return render_error(request, 404, str(exc))
    _editor(request, unit_id)
    values = _values(None, kind)
    if kind == "trial":
        values["status"] = "planlagt"
    return _form_page(request, None, kind, unit, values, "")


@router.post("/enheder/{unit_id}/ny/{kind}", response_class=HTMLResponse)
async def new_save(request: Request, unit_id: str, kind: str) -> Response:
    """The unit is read once, by the write (which refuses a unit that is not there)."""
    state = get_state(request)
    if kind not in ("person", "trial"):
        return render_error(request, 404, "Man kan kun tilføje kolleger og prøvehandlinger.")
    user = _editor(request, unit_id)
    values = await _form(request)
    new_id = values.get("id", "").strip()
    errors = validate(kind, values)
    if not valid_new_id(new_id):
        errors["id"] = (
            "Skriv et id på højst 64 tegn af bogstaver, tal, punktum, bindestreg eller "
            "understreg, der begynder med et bogstav eller tal."
        )
    if not errors:
        record = _updated(Record(kind, new_id, {"id": new_id, "unit_id": unit_id}), kind, values)  # type: ignore[arg-type]
        try:
            state.save(record, new=True, actor=actor_of(user))
            return RedirectResponse(_record_page(kind, new_id, unit_id), status.HTTP_303_SEE_OTHER)
        except AlreadyExistsError:
            errors["id"] = f"Id'et '{new_id}' er allerede brugt. Vælg et andet."
        except DataError as exc:
            errors = _problems(exc, kind)
    try:
        unit = state.record("unit", unit_id)
    except NotFoundError as exc:
        return render_error(request, 404, str(exc))
    code = 409 if "allerede brugt" in errors.get("id", "") else 422
    return _form_page(request, None, kind, unit, values, "", errors, code, new_id)


@router.get("/rediger/{kind}/{record_id}/slet", response_class=HTMLResponse)
def delete_page(request: Request, kind: str, record_id: str) -> HTMLResponse:
    """The confirm step: removing a person erases every trace of them (as DELETE /api/people)."""
    if kind not in ("person", "trial"):
        return render_error(request, 404, "Kun kolleger og prøvehandlinger kan fjernes her.")
    try:
        record, unit, _user = _editable(request, kind, record_id)
    except NotFoundError as exc:
        return render_error(request, 404, str(exc))
    return templates.TemplateResponse(
        request,
        "edit_delete.html",
        {"record": record, "kind": kind, "unit": unit, "version": version_of(record)},
    )


@router.post("/rediger/{kind}/{record_id}/slet", response_class=HTMLResponse)
async def delete_save(request: Request, kind: str, record_id: str) -> Response:
    state = get_state(request)
    if kind not in ("person", "trial"):
        return render_error(request, 404, "Kun kolleger og prøvehandlinger kan fjernes her.")
    user = _signed_in(request)
    values = await _form(request)

    def check(existing: Record) -> None:
        _editor(request, _unit_of(existing))

    try:
        erasure = state.delete(
            kind,  # type: ignore[arg-type]
            record_id,
            actor=actor_of(user),
            expected=values.get("version") or "",
            check=check,
        )
    except NotFoundError as exc:
        return render_error(request, 404, str(exc))
    except VersionConflictError:
        return render_error(
            request,
            status.HTTP_409_CONFLICT,
            "Posten er ændret, siden du åbnede siden. Åbn den igen, se ændringen, og slet den "
            "derefter, hvis den stadig skal væk.",
        )
    return RedirectResponse(f"/enheder/{_unit_of(erasure.deleted)}", status.HTTP_303_SEE_OTHER)


@router.post("/bekraeft/{kind}/{record_id}", response_class=HTMLResponse)
async def confirm(request: Request, kind: str, record_id: str) -> Response:
    """ "Det passer stadig": one click confirms the record as it is."""
    state = get_state(request)
    if kind not in FIELDS:
        return render_error(request, 404, str(NotFoundError(kind, record_id)))
    user = _signed_in(request)
    await _form(request)

    def check(existing: Record) -> None:
        _editor(request, _unit_of(existing))

    try:
        written = state.confirm(kind, record_id, actor_of(user), check)  # type: ignore[arg-type]
    except NotFoundError as exc:
        return render_error(request, 404, str(exc))
    record = written.record(kind, record_id)
    assert record is not None  # the confirmation read it
    back = _record_page(kind, record_id, _unit_of(record))
    return RedirectResponse(back, status.HTTP_303_SEE_OTHER)


def stale_rows(state: ServiceState, unit_ids: set[str] | None) -> list[dict[str, Any]]:
    """Records last confirmed before the cut-off (their units' editors' or, None: all)."""
    cutoff = now() - dt.timedelta(days=state.settings.stale_after_days)
    old = state.freshness.older_than(cutoff)
    records: dict[tuple[str, str], Record] = {
        (r.kind, r.id): r for r in state.store.records_by_keys((k, i) for k, i, _ in old)
    }

    rows = []
    for kind, record_id, confirmed in old:
        record = records.get((kind, record_id))
        if record is None:
            continue
        unit_id = _unit_of(record)
        if unit_ids is not None and unit_id not in unit_ids:
            continue
        title = record.get("name") or record.get("title") or record.id
        rows.append(
            {
                "kind": kind,
                "kind_word": KIND_WORDS[kind],
                "id": record_id,
                "title": title,
                "unit_id": unit_id,
                "url": _record_page(kind, record_id, unit_id),
                "confirmed": confirmed,
            }
        )
    return rows


@router.get("/mine", response_class=HTMLResponse)
def my_units(request: Request) -> HTMLResponse:
    """ "Mine enheder": the units the user edits, and their records that need a look."""
    user = _user(request)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Log ind for at se dine enheder.")
    state = get_state(request)
    if user.role is Role.admin:
        units = [r for r in state.store.all_records() if r.kind == "unit"]
    else:
        units = [u for u in state.store.records_by_keys(("unit", i) for i in user.units)]
    unit_ids = {u.id for u in units}
    return templates.TemplateResponse(
        request,
        "edit_mine.html",
        {
            "units": sorted(units, key=lambda u: u.get("name")),
            "stale": stale_rows(state, unit_ids),
            "days": state.settings.stale_after_days,
        },
    )


AdminUser = Annotated[User, Depends(require_role(Role.admin))]


@router.get("/admin/foraeldede", response_class=HTMLResponse)
def stale_page(request: Request, user: AdminUser) -> HTMLResponse:
    state = get_state(request)
    return templates.TemplateResponse(
        request,
        "edit_stale.html",
        {"stale": stale_rows(state, None), "days": state.settings.stale_after_days},
    )


@router.get("/admin/log", response_class=HTMLResponse)
def log_page(
    request: Request, user: AdminUser, side: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> HTMLResponse:
    state = get_state(request)
    size = 50
    entries, total = state.audit.page((side - 1) * size, size)
    return templates.TemplateResponse(
        request,
        "edit_log.html",
        {
            "entries": entries,
            "side": side,
            "pages": max(1, -(-total // size)),
            "total": total,
            "kind_words": KIND_WORDS,
        },
    )
