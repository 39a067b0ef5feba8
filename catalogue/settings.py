"""One settings object for the whole product, read from PRAKTIJKBANK_* variables and .env."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_home() -> Path:
    """~/.local/share/praktijkbank, or $XDG_DATA_HOME/praktijkbank."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "praktijkbank"


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as PRAKTIJKBANK_<FIELD>."""

    model_config = SettingsConfigDict(
        env_prefix="PRAKTIJKBANK_", env_file=".env", extra="ignore", validate_default=True
    )

    home: Path = Field(default_factory=default_home, description="Folder of the catalogue")
    embedder: str = Field(
        default="e5-small",
        description="Embedding backend: 'e5-small' (bundled multilingual-e5-small, 4-bit), "
        "'minilm' (bundled all-MiniLM-L6-v2), or 'st:<model name or path>' for any "
        "sentence-transformers model",
    )
    search_mode: str = Field(default="hybrid", description="Default search mode")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["*"],
        description="Sites that may call the API from a browser (comma-separated; * = all)",
    )
    max_per_page: int = 50
    max_query_chars: int = 500
    max_body_bytes: int = 256_000
    submission_rate: str = Field(default="5/minute", description="Public submissions per client")
    trust_proxy: bool = False
    allow_downloads: bool = Field(
        default=False, description="Let sentence-transformers fetch models from the internet"
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("home")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def db_path(self) -> Path:
        return self.home / "praktijkbank.db"

    @property
    def index_path(self) -> Path:
        return self.home / "index.faiss"
