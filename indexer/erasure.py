"""Erasing a person: the one list of every place their name, e-mail and phone can be kept.

Deleting a person (API, edit page, `tvaers index` of a folder without them) is one write. Its
plan (`indexer.updates.delete_record`, or the folder's) rewrites the records that name them:
a unit's contact fields, a trial action's contact person, free text holding their e-mail or
phone. `Store.commit` then runs every sink of `SINKS` in the same transaction, whoever the caller
is: none can be forgotten. The search index follows the log, and the service writes a snapshot
without them before it answers (and every process before a clean stop ends).

Sinks (each tested in tests/test_erasure_sinks.py by grepping the home folder and, on
PostgreSQL, a dump of the database):
- records: the person's row, and other records' contact fields and free text (the plan);
- embeddings: vectors of texts no record shows any more (`Store.commit`);
- audit_log: rows keep the fact of a change; values naming them and their actor name go;
- freshness: a confirmation by them is kept, by ERASED;
- search_gaps: counted searches holding their name's words, e-mail or phone;
- unit_editors: their e-mail as a principal;
- sign_in_sessions: their sessions (by e-mail): they are signed out;
- pairing_proposals: every proposal naming them;
- season_participants: their registration in any Innovationspraktik season (by e-mail, name or
  phone anywhere in it, or registered by them under their e-mail);
- season_registration_links: the personal links sent to their e-mail (they open nothing more);
- season_locks: locks of participants no longer registered;
- season_scenarios: every scenario naming them;
- season_letters: letters to them or naming them;
- season_pairs, season_links: published pairs and personal links of participants no longer
  registered;
- season_evaluations: their answers (no longer registered), and others' free text naming them
  (the text becomes ERASED, the yes/no answers stay counted);
- mail_outbox: messages to them or naming them, sent or not.
(season_figures holds counts and shares only.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from indexer.records import Record
from indexer.schema import (
    audit_table,
    editors_table,
    freshness_table,
    mail_outbox_table,
    proposals_table,
    search_gaps_table,
    season_evaluations_table,
    season_letters_table,
    season_links_table,
    season_locks_table,
    season_pairs_table,
    season_participants_table,
    season_registration_links_table,
    season_scenarios_table,
    sessions_table,
)

ERASED = "[slettet]"  # what an erased person's values become
PHONE_FIELDS = ("phone", "telefon", "tlf", "contact_phone")
MIN_PHONE_DIGITS = 8


@dataclass(frozen=True)
class ErasedPerson:
    """What identifies a person being erased, as they were stored."""

    id: str
    name: str
    email: str
    phone: str

    @classmethod
    def of(cls, record: Record) -> ErasedPerson:
        phone = next((record.get(f) for f in PHONE_FIELDS if record.get(f).strip()), "")
        return cls(record.id, record.get("name").strip(), record.get("email").strip(), phone)

    @property
    def needles(self) -> list[str]:
        """Their name, e-mail and phone, case-folded (empty values left out)."""
        return [v.casefold() for v in (self.name, self.email, self.phone) if v]

    @property
    def phone_digits(self) -> str:
        digits = re.sub(r"\D", "", self.phone)
        if digits.startswith("45") and len(digits) == 10:
            digits = digits[2:]  # +45: Denmark's prefix
        return digits if len(digits) >= MIN_PHONE_DIGITS else ""

    def phone_forms(self) -> list[str]:
        """Ways the phone may be written: as stored, digits only, and in pairs."""
        digits = self.phone_digits
        if not digits:
            return []
        pairs = " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
        return list(dict.fromkeys([self.phone, digits, pairs]))

    def names_them(self, value: str) -> bool:
        """Whether a text holds their name, e-mail or phone (in any spacing)."""
        folded = value.casefold()
        if any(n in folded for n in self.needles):
            return True
        digits = self.phone_digits
        return bool(digits) and digits in re.sub(r"[\s\-.+()]", "", folded)

    def without_contact(self, value: str) -> str:
        """Free text with their e-mail and phone taken out (replaced by ERASED)."""
        if self.email:
            value = re.sub(re.escape(self.email), ERASED, value, flags=re.IGNORECASE)
        digits = self.phone_digits
        if digits:
            spaced = r"[\s\-.]?".join(re.escape(d) for d in digits)
            value = re.sub(rf"(\+45[\s\-.]?)?{spaced}", ERASED, value)
        return value


# The sinks outside the records, run in the erasing write's transaction ---------------------


def erase_from_audit(conn: sa.Connection, person: ErasedPerson) -> int:
    """Rows about the person, and values elsewhere holding their name, e-mail or phone, keep
    the fact of the change; the values become ERASED. Rows they made lose their actor."""
    changed = 0
    by_them = sa.or_(
        sa.func.lower(audit_table.c.actor_subject) == person.email.casefold(),
        audit_table.c.actor_name == person.name,
    )
    if person.email or person.name:
        changed += conn.execute(
            audit_table.update().where(by_them).values(actor_subject=ERASED, actor_name=ERASED)
        ).rowcount
    text = sa.func.lower(audit_table.c.changes)
    about = sa.and_(audit_table.c.kind == "person", audit_table.c.record_id == person.id)
    mentions = [text.contains(n, autoescape=True) for n in [*person.needles, person.id.lower()]]
    if person.phone_digits:
        bare = sa.func.replace(sa.func.replace(text, " ", ""), "-", "")
        mentions.append(bare.contains(person.phone_digits, autoescape=True))
    condition = sa.or_(about, *mentions)
    if not all(n.isascii() for n in person.needles):
        condition = sa.true()  # SQLite's lower() folds ASCII only: read every row, check here
    query = sa.select(
        audit_table.c.seq, audit_table.c.kind, audit_table.c.record_id, audit_table.c.changes
    )
    for row in conn.execute(query.where(condition)).all():
        changes: dict[str, list[str | None]] = json.loads(row.changes)
        clean = scrubbed(changes, person, row.kind, row.record_id)
        if clean != changes:
            conn.execute(
                audit_table.update()
                .where(audit_table.c.seq == row.seq)
                .values(changes=json.dumps(clean, ensure_ascii=False, sort_keys=True))
            )
            changed += 1
    return int(changed)


def erase_from_freshness(conn: sa.Connection, person: ErasedPerson) -> int:
    """A confirmation by the person stays a confirmation, by ERASED."""
    by = [v for v in (person.name, person.email) if v]
    if not by:
        return 0
    return int(
        conn.execute(
            freshness_table.update()
            .where(freshness_table.c.confirmed_by.in_(by))
            .values(confirmed_by=ERASED)
        ).rowcount
    )


def erase_from_search_gaps(conn: sa.Connection, person: ErasedPerson) -> int:
    """Counted searches holding a word of their name, their e-mail or phone (errs on deleting
    more: a counted "ingeborg" may be her)."""
    column = search_gaps_table.c.query
    words = {w for w in person.name.casefold().split() if len(w) >= 2}
    conditions = [column.contains(w, autoescape=True) for w in sorted(words)]
    if person.email:
        conditions.append(column.contains(person.email.casefold(), autoescape=True))
    if person.phone_digits:
        bare = sa.func.replace(sa.func.replace(column, " ", ""), "-", "")
        conditions.append(bare.contains(person.phone_digits, autoescape=True))
    if not conditions:
        return 0
    return int(conn.execute(search_gaps_table.delete().where(sa.or_(*conditions))).rowcount)


def erase_from_editors(conn: sa.Connection, person: ErasedPerson) -> int:
    """Their e-mail as an editor principal (principals are stored lower-cased)."""
    if not person.email:
        return 0
    principal = editors_table.c.principal == person.email.strip().lower()
    return int(conn.execute(editors_table.delete().where(principal)).rowcount)


def erase_from_sessions(conn: sa.Connection, person: ErasedPerson) -> int:
    """Their sign-in sessions (which hold their name and e-mail) end."""
    if not person.email:
        return 0
    email = sa.func.lower(sessions_table.c.email) == person.email.strip().lower()
    return int(conn.execute(sessions_table.delete().where(email)).rowcount)


def erase_from_proposals(conn: sa.Connection, person: ErasedPerson) -> int:
    """Every kept pairing proposal that names them (at most a few dozen rows, checked here)."""
    return forget_proposals_naming(conn, person.needles)


def forget_proposals_naming(conn: sa.Connection, texts: Sequence[str]) -> int:
    """Delete the proposals holding any of these texts (case-folded; at most a few dozen rows,
    read and checked here so that non-ASCII names match on every database)."""
    needles = [t.strip().casefold() for t in texts if t and t.strip()]
    if not needles:
        return 0
    rows = conn.execute(sa.select(proposals_table.c.id, proposals_table.c.body)).all()
    naming = [r.id for r in rows if any(n in r.body.casefold() for n in needles)]
    if naming:
        conn.execute(proposals_table.delete().where(proposals_table.c.id.in_(naming)))
    return len(naming)


def erase_from_season_participants(conn: sa.Connection, person: ErasedPerson) -> int:
    """Their registration (as host or intern) in every season: by e-mail, or a row naming them
    (rows are read and checked here, so non-ASCII names match on every database)."""
    table = season_participants_table
    rows = conn.execute(
        sa.select(table.c.season_id, table.c.role, table.c.id, table.c.fields, table.c.owner)
    )
    email = person.email.strip().casefold()
    naming = [
        (r.season_id, r.role, r.id)
        for r in rows
        if (
            email
            and (email in r.fields.casefold() or (r.owner or "").casefold() == f"mail:{email}")
        )
        or person.names_them(_values_text(r.fields))
    ]
    for season_id, role, participant_id in naming:
        conn.execute(
            table.delete().where(
                table.c.season_id == season_id, table.c.role == role, table.c.id == participant_id
            )
        )
    return len(naming)


def erase_from_registration_links(conn: sa.Connection, person: ErasedPerson) -> int:
    """Personal registration links sent to their e-mail (stored lower-cased)."""
    if not person.email:
        return 0
    links = season_registration_links_table
    email = links.c.email == person.email.strip().lower()
    return int(conn.execute(links.delete().where(email)).rowcount)


def erase_from_season_locks(conn: sa.Connection, person: ErasedPerson) -> int:
    """Locks whose intern or host is no longer registered in the season."""
    table = season_locks_table
    return _delete_unregistered(
        conn, table, [("intern", table.c.intern_id), ("host", table.c.host_id)]
    )


def erase_from_season_pairs(conn: sa.Connection, person: ErasedPerson) -> int:
    """Published pairs (with their answers) whose intern or host is no longer registered."""
    table = season_pairs_table
    return _delete_unregistered(
        conn, table, [("intern", table.c.intern_id), ("host", table.c.host_id)]
    )


def erase_from_season_links(conn: sa.Connection, person: ErasedPerson) -> int:
    """Personal links of participants no longer registered."""
    table = season_links_table
    return _delete_unregistered(conn, table, [(table.c.role, table.c.participant_id)])


def erase_from_season_evaluations(conn: sa.Connection, person: ErasedPerson) -> int:
    """Their own answers go; another's free text naming them becomes ERASED (the yes/no
    answers stay counted)."""
    table = season_evaluations_table
    changed = _delete_unregistered(conn, table, [(table.c.role, table.c.participant_id)])
    rows = conn.execute(
        sa.select(
            table.c.season_id,
            table.c.role,
            table.c.participant_id,
            table.c.take_home,
            table.c.comment,
        )
    ).all()
    for r in rows:
        if person.names_them(f"{r.take_home}\n{r.comment}"):
            conn.execute(
                table.update()
                .where(
                    table.c.season_id == r.season_id,
                    table.c.role == r.role,
                    table.c.participant_id == r.participant_id,
                )
                .values(
                    take_home=ERASED if person.names_them(r.take_home) else r.take_home,
                    comment=ERASED if person.names_them(r.comment) else r.comment,
                )
            )
            changed += 1
    return changed


def erase_from_mail_outbox(conn: sa.Connection, person: ErasedPerson) -> int:
    """Messages to them or naming them, waiting or sent (read and checked here, so non-ASCII
    names match on every database)."""
    table = mail_outbox_table
    rows = conn.execute(sa.select(table.c.id, table.c.to_address, table.c.subject, table.c.body))
    naming = [
        r.id
        for r in rows
        if (person.email and r.to_address.strip().casefold() == person.email.casefold())
        or person.names_them(f"{r.to_address}\n{r.subject}\n{r.body}")
    ]
    if naming:
        conn.execute(table.delete().where(table.c.id.in_(naming)))
    return len(naming)


def _delete_unregistered(
    conn: sa.Connection,
    table: sa.Table,
    people: Sequence[tuple[str | sa.ColumnElement[str], sa.ColumnElement[str]]],
) -> int:
    """Rows of `table` naming a (role, participant id) of its season that is not registered."""
    registered = season_participants_table.c
    unregistered = sa.or_(
        *(
            ~sa.exists().where(
                registered.season_id == table.c.season_id,
                registered.role == role,
                registered.id == column,
            )
            for role, column in people
        )
    )
    return int(conn.execute(table.delete().where(unregistered)).rowcount)


def erase_from_season_scenarios(conn: sa.Connection, person: ErasedPerson) -> int:
    table = season_scenarios_table
    rows = conn.execute(sa.select(table.c.id, table.c.body)).all()
    naming = [r.id for r in rows if person.names_them(r.body)]
    if naming:
        conn.execute(table.delete().where(table.c.id.in_(naming)))
    return len(naming)


def erase_from_season_letters(conn: sa.Connection, person: ErasedPerson) -> int:
    table = season_letters_table
    rows = conn.execute(sa.select(table.c.id, table.c.to_address, table.c.body)).all()
    naming = [r.id for r in rows if person.names_them(f"{r.to_address}\n{r.body}")]
    if naming:
        conn.execute(table.delete().where(table.c.id.in_(naming)))
    return len(naming)


def _values_text(fields_json: str) -> str:
    """A stored row's values, one a line (its JSON escapes æ/ø/å only when written so)."""
    try:
        values = json.loads(fields_json)
    except json.JSONDecodeError:
        return fields_json
    return "\n".join(str(v) for v in values.values()) if isinstance(values, dict) else fields_json


Sink = Callable[[sa.Connection, ErasedPerson], int]
# Every table outside the records that may hold a person: the one list (see the module's text).
SINKS: dict[str, Sink] = {
    "audit_log": erase_from_audit,
    "freshness": erase_from_freshness,
    "search_gaps": erase_from_search_gaps,
    "unit_editors": erase_from_editors,
    "sign_in_sessions": erase_from_sessions,
    "pairing_proposals": erase_from_proposals,
    "season_participants": erase_from_season_participants,
    "season_registration_links": erase_from_registration_links,
    "season_locks": erase_from_season_locks,  # after the participants: their locks go too
    "season_scenarios": erase_from_season_scenarios,
    "season_letters": erase_from_season_letters,
    "season_pairs": erase_from_season_pairs,  # after the participants, as the locks
    "season_links": erase_from_season_links,
    "season_evaluations": erase_from_season_evaluations,
    "mail_outbox": erase_from_mail_outbox,
}


def erase_deleted_people(
    conn: sa.Connection,
    before: Mapping[tuple[str, str], Record],
    deletes: Iterable[tuple[str, str]],
) -> dict[str, int]:
    """Run every sink for each person a write deletes; rows changed per sink."""
    changed: dict[str, int] = {}
    for kind, record_id in deletes:
        old = before.get((kind, record_id))
        if kind != "person" or old is None:
            continue
        person = ErasedPerson.of(old)
        for name, sink in SINKS.items():
            changed[name] = changed.get(name, 0) + sink(conn, person)
    return changed


def checkpoint_wal(engine: sa.Engine) -> None:
    """SQLite: replaced and deleted rows' old pages live in the write-ahead log until a
    checkpoint moves the new ones into the database file; call it after erasing anything."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# Audit values ---------------------------------------------------------------------------------


def scrubbed(
    changes: dict[str, list[str | None]], person: ErasedPerson, kind: str, record_id: str
) -> dict[str, list[str | None]]:
    """A row's changes with the person's values replaced: every value of a row about them,
    and elsewhere the values holding their name, e-mail, phone or id."""
    whole = kind == "person" and record_id == person.id
    return {
        name: [_scrub(v, person, whole=whole) for v in values] for name, values in changes.items()
    }


def _scrub(value: str | None, person: ErasedPerson, *, whole: bool) -> str | None:
    if value is None or value == "":
        return value
    if whole or value.strip().casefold() == person.id.casefold() or person.names_them(value):
        return ERASED
    return value
