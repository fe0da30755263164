"""Settings read from the environment (prefix ``CHAINATLAS_``) or passed explicitly."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "normalise_database_url"]

_PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev-secret-key"}


def normalise_database_url(url: str) -> str:
    """Return ``url`` with the scheme SQLAlchemy + psycopg 3 expect.

    ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://``; a bare file path
    (no ``://``) becomes a SQLite URL.

    >>> normalise_database_url("postgres://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> normalise_database_url("data/x.db")
    'sqlite:///data/x.db'
    """
    if "://" not in url:
        return f"sqlite:///{url}"
    scheme, rest = url.split("://", 1)
    if scheme in {"postgres", "postgresql"}:
        return f"postgresql+psycopg://{rest}"
    return url


class Settings(BaseSettings):
    """ChainAtlas settings; every field can be set as ``CHAINATLAS_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CHAINATLAS_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///chainatlas.db",
        description="SQLAlchemy URL of the database, or a path to a SQLite file.",
    )
    env: Literal["dev", "test", "prod"] = Field(
        default="dev", description="Deployment environment; 'prod' refuses placeholder secrets."
    )
    secret_key: str = Field(
        default="dev-secret-key",
        description="Key that signs sessions and tokens; must be set outside 'dev' and 'test'.",
    )
    demo_seed: int = Field(default=20240501, description="Seed of the demo data generator.")
    demo_scale: int = Field(
        default=3000, description="Number of enterprises the demo generator makes by default."
    )
    batch_size: int = Field(
        default=20000, ge=100, description="Rows per batch for bulk loads and streaming imports."
    )
    warm_reports: bool = Field(
        default=True,
        description="Build the chain reports and dashboard of the main region when the web "
        "app starts and after each import through it, so no visitor waits for them.",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @model_validator(mode="after")
    def _reject_placeholder_secret(self) -> Settings:
        if self.env == "prod" and self.secret_key.strip().lower() in _PLACEHOLDER_SECRETS:
            raise ValueError("CHAINATLAS_SECRET_KEY must be set to a real secret when env=prod")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings of this process (read once from the environment)."""
    return Settings()
