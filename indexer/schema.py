"""Every table tvaers keeps in its database, in one `MetaData`.

The tables are created and changed only by the versioned migrations in `indexer/migrations`
(Alembic); `indexer.migrations.upgrade` brings any database to this schema, and a test checks
that the migrations give exactly these tables. Features import their tables from here and never
create them.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

MAX_GAP_QUERY_CHARS = 200  # longer texts are pasted pages, not questions; they are cut there

metadata = sa.MetaData()

# Records and the log (indexer/store.py) -----------------------------------------------------

records_table = sa.Table(
    "records",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("fields", sa.Text, nullable=False),
    # Which unit shows this record (people and trials), and the hash of its document's text:
    # a unit's dependants and the vectors still in use are found without reading every record.
    sa.Column("unit_id", sa.String(200), index=True),
    sa.Column("content_hash", sa.String(64), index=True),
)
embeddings_table = sa.Table(
    "embeddings",
    metadata,
    sa.Column("model_id", sa.String(300), primary_key=True),
    # Indexed alone too: a write forgets a text's vectors in every model by its hash.
    sa.Column("content_hash", sa.String(64), primary_key=True, index=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)
log_head_table = sa.Table(
    "log_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("log_id", sa.String(36), nullable=False),
    sa.Column("revision", sa.BigInteger, nullable=False),
)
changes_table = sa.Table(
    "changes",
    metadata,
    sa.Column("revision", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("id", sa.String(200), primary_key=True),
)

# What follows the records (indexer/audit.py, indexer/freshness.py) ---------------------------

audit_table = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("actor_subject", sa.String(320), nullable=False),
    sa.Column("actor_name", sa.String(320), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("record_id", sa.String(200), nullable=False, index=True),
    sa.Column("action", sa.String(10), nullable=False),
    # {"field": [old, new], …}; values are None where a record did not exist (or was erased)
    sa.Column("changes", sa.Text, nullable=False),
)
freshness_table = sa.Table(
    "freshness",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("confirmed_at", sa.DateTime, nullable=False, index=True),
    sa.Column("confirmed_by", sa.String(320), nullable=False),
)

# Counted searches (indexer/search_gaps.py): no part of the log ------------------------------

search_gaps_table = sa.Table(
    "search_gaps",
    metadata,
    sa.Column("query", sa.String(MAX_GAP_QUERY_CHARS), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True, index=True),
    sa.Column("count", sa.Integer, nullable=False),
    # The best outcome one asking had that day: the most hits, the highest cosine similarity
    # (meaning) and the largest share of the query's word weight a hit held (words).
    sa.Column("hits", sa.Integer, nullable=False),
    sa.Column("best_cosine", sa.Float, nullable=False),
    sa.Column("best_coverage", sa.Float, nullable=False),
)

# Sign-in (service/auth) ----------------------------------------------------------------------

api_keys_table = sa.Table(
    "api_keys",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("units", sa.Text, nullable=False, default="[]"),  # JSON list of unit ids
    sa.Column("secret_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_used_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
)
editors_table = sa.Table(
    "unit_editors",
    metadata,
    sa.Column("principal", sa.String(320), primary_key=True),  # lower-cased e-mail or subject
    sa.Column("unit_id", sa.String(200), primary_key=True),
    sa.Column("source", sa.String(10), primary_key=True),
)

# A signed-in browser's session (service/auth/sessions.py): the cookie holds only a random token,
# whose SHA-256 is the id here, so sign-out, an admin's revoke and expiry end it at once.
sessions_table = sa.Table(
    "sign_in_sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # sha256 of the cookie's token
    sa.Column("issuer", sa.String(300), nullable=False),  # "" for local sign-in
    sa.Column("subject", sa.String(320), nullable=False, index=True),
    sa.Column("name", sa.String(320), nullable=False),
    sa.Column("email", sa.String(320)),
    sa.Column("email_verified", sa.Boolean, nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC, naive
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),  # the absolute end
    sa.Column("last_seen_at", sa.DateTime, nullable=False),  # for the idle timeout
    sa.Column("checked_at", sa.DateTime, nullable=False),  # claims last confirmed by the provider
    # The provider's access and refresh tokens (to ask it again), encrypted with a key derived
    # from the cookie's token: a copy of the database alone cannot use them.
    sa.Column("provider_tokens", sa.Text),
)

# Failed key checks and sign-in attempts per client address (service/auth/throttle.py), counted
# in fixed windows here so that every worker and replica counts against the same limit.
throttle_table = sa.Table(
    "throttle_counts",
    metadata,
    sa.Column("key", sa.String(300), primary_key=True),  # limits' key: kind and client address
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),  # the window's end, Unix time
)

# What every process shares (service/api/proposals.py, engine/synonyms.py) --------------------

proposals_table = sa.Table(
    "pairing_proposals",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("made_at", sa.DateTime, nullable=False, index=True),  # UTC, naive
    sa.Column("body", sa.Text, nullable=False),  # the proposal as JSON
    # Who made it ("api-key:<name>" for a key): only they, and admins, download or delete it.
    sa.Column("owner", sa.String(320)),
)
synonyms_table = sa.Table(
    "synonyms",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1: one list
    sa.Column("text", sa.Text, nullable=False),  # the admins' list as they wrote it
    sa.Column("revision", sa.Integer, nullable=False),  # +1 a save: processes see it changed
)

# The Innovationspraktik season (service/season) ------------------------------------------------

seasons_table = sa.Table(
    "seasons",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("phase", sa.String(24), nullable=False),  # engine.season.PHASES
    sa.Column("is_current", sa.Boolean, nullable=False, default=False),
    sa.Column("registration_opens", sa.Date, nullable=False),
    sa.Column("registration_deadline", sa.Date, nullable=False),
    sa.Column("week_starts", sa.Date, nullable=False),
    sa.Column("week_ends", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC, naive
    sa.Column("phase_since", sa.DateTime, nullable=False),
    # The coordinators' letters ({placeholders} filled per person); NULL: the built-in text.
    sa.Column("intern_letter", sa.Text),
    sa.Column("host_letter", sa.Text),
)
season_participants_table = sa.Table(
    "season_participants",
    metadata,
    sa.Column("season_id", sa.Integer, primary_key=True),
    sa.Column("role", sa.String(10), primary_key=True),  # "host" or "intern"
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("fields", sa.Text, nullable=False),  # the row of hosts.csv / interns.csv as JSON
    sa.Column("email", sa.String(320), nullable=False, default="", index=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    # Who registered it themselves ("sub:<subject>" signed in, "mail:<address>" by a personal
    # link); NULL: a coordinator's import, which a new import replaces.
    sa.Column("owner", sa.String(330)),
)
season_registration_links_table = sa.Table(
    "season_registration_links",
    metadata,
    # SHA-256 of the personal link's secret: the database never holds a working link.
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("season_id", sa.Integer, nullable=False),
    sa.Column("email", sa.String(320), nullable=False, index=True),  # confirmed by the link
    sa.Column("made_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)
season_scenarios_table = sa.Table(
    "season_scenarios",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("season_id", sa.Integer, nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("made_at", sa.DateTime, nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # the proposal as JSON (service.api.proposals)
    sa.Column("chosen", sa.Boolean, nullable=False, default=False),  # the one to publish
)
season_locks_table = sa.Table(
    "season_locks",
    metadata,
    sa.Column("season_id", sa.Integer, primary_key=True),
    sa.Column("intern_id", sa.String(200), primary_key=True),
    sa.Column("host_id", sa.String(200), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("locked_by", sa.String(320), nullable=False),
    sa.Column("locked_at", sa.DateTime, nullable=False),
)
season_letters_table = sa.Table(
    "season_letters",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # also the answer link's secret
    sa.Column("season_id", sa.Integer, nullable=False, index=True),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("participant_id", sa.String(200), nullable=False),
    sa.Column("to_address", sa.String(320), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("made_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime),  # NULL: waiting in the outbox
    sa.Column("answer", sa.String(10)),  # "accept" / "decline" (interns), NULL: not yet
    sa.Column("answered_at", sa.DateTime),
)

# Published pairs and their answers, links, evaluations and kept figures (service/season) -------

season_pairs_table = sa.Table(
    "season_pairs",
    metadata,
    sa.Column("season_id", sa.Integer, primary_key=True),
    sa.Column("intern_id", sa.String(200), primary_key=True),
    sa.Column("host_id", sa.String(200), primary_key=True),
    sa.Column("round", sa.Integer, nullable=False),  # 1: the publish; 2, 3, …: second rounds
    sa.Column("published_at", sa.DateTime, nullable=False),
    sa.Column("duration", sa.Integer, nullable=False),
    sa.Column("cross_sector", sa.Boolean, nullable=False),
    sa.Column("wished_rank", sa.Integer),
    sa.Column("reason", sa.Text, nullable=False),  # the sentence both letters carry
    # accept | decline | withdraw (declines and will not take part this season); NULL: not yet
    sa.Column("intern_answer", sa.String(10)),
    sa.Column("intern_reason", sa.Text),
    sa.Column("intern_answered_at", sa.DateTime),
    sa.Column("host_answer", sa.String(10)),
    sa.Column("host_reason", sa.Text),
    sa.Column("host_answered_at", sa.DateTime),
)
# Personal links (answer, evaluation): only the token's SHA-256 is kept, so the table gives none.
season_links_table = sa.Table(
    "season_links",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("season_id", sa.Integer, nullable=False, index=True),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("participant_id", sa.String(200), nullable=False),
    sa.Column("purpose", sa.String(12), nullable=False),  # answer | evaluation
    sa.Column("made_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)
season_evaluations_table = sa.Table(
    "season_evaluations",
    metadata,
    sa.Column("season_id", sa.Integer, primary_key=True),
    sa.Column("role", sa.String(10), primary_key=True),
    sa.Column("participant_id", sa.String(200), primary_key=True),
    sa.Column("answered_at", sa.DateTime, nullable=False),
    sa.Column("useful", sa.Boolean, nullable=False),  # of concrete use
    sa.Column("recommend", sa.Boolean, nullable=False),
    sa.Column("again", sa.Boolean, nullable=False),  # would host / go again
    sa.Column("take_home", sa.Text, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
)
# What an archived season keeps once its personal data is gone: counts and shares only.
season_figures_table = sa.Table(
    "season_figures",
    metadata,
    sa.Column("season_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kept_at", sa.DateTime, nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # JSON
)

# Mail (service/mail) ---------------------------------------------------------------------------

# Every message tvaers sends waits here first: a publish and its letters commit together, a
# replica or a restart delivers what another left, and without SMTP settings they stay to be read.
mail_outbox_table = sa.Table(
    "mail_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("topic", sa.String(40), nullable=False),  # service.mail.TOPICS
    sa.Column("season_id", sa.Integer, index=True),  # NULL: not a season's message
    sa.Column("to_address", sa.String(320), nullable=False, index=True),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("made_at", sa.DateTime, nullable=False),  # UTC, naive
    sa.Column("status", sa.String(10), nullable=False),  # waiting | sending | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),  # or the claim's time (sending)
    sa.Column("sent_at", sa.DateTime),
    sa.Column("last_error", sa.Text),
    sa.Index("ix_mail_outbox_due", "status", "next_attempt_at"),
)


def key_chunks(keys: Iterable[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(kind, ids) pieces of a set of keys, for `kind = ? AND id IN (…)` statements on the
    tables keyed by (kind, id)."""
    by_kind: dict[str, set[str]] = {}
    for kind, record_id in keys:
        by_kind.setdefault(kind, set()).add(record_id)
    return [(kind, chunk) for kind, ids in by_kind.items() for chunk in chunks(ids)]


def chunks(values: Iterable[str], size: int = 500) -> list[list[str]]:
    """SQL `IN` lists in pieces: databases cap the parameters of one statement (SQLite 32,766)."""
    items = sorted(values)
    return [items[start : start + size] for start in range(0, len(items), size)]
