"""One settings object for the whole product, read from PRAKTIJKBANK_* variables and .env."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

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
        default="e5+use",
        description="Embedding backend: 'e5+use' (bundled multilingual-e5-small and USE "
        "multilingual, weighted 0.7 : 0.3), 'e5-small', 'use', "
        "'minilm' (bundled all-MiniLM-L6-v2, English only), or 'st:<model name or path>' for any "
        "sentence-transformers model",
    )
    database_url: str | None = Field(
        default=None, description="postgresql://... selects PostgreSQL + pgvector (several API servers "
        "over one database); empty: SQLite + FAISS in the catalogue folder")
    search_mode: str = Field(default="hybrid", description="Default search mode")
    fusion: Literal["convex", "rrf"] = Field(
        default="convex", description="How hybrid search fuses the dense and lexical rankings")
    dense_weight: float = Field(
        default=0.7, ge=0.0, le=1.0, description="Weight of the dense ranking in hybrid search "
        "(the lexical ranking gets 1 - this)")
    rrf_k: float = Field(default=60.0, gt=0.0, description="The k of reciprocal rank fusion")
    passage_weight: float = Field(
        default=0.3, ge=0.0, lt=1.0, description="Weight of a practice's best-matching sentence in "
        "its semantic score (the whole text gets 1 - this); 0 stores no sentence vectors. "
        "A change needs 'praktijkbank reindex'")
    ivf_nprobe: int = Field(
        default=0, ge=0, le=4096, description="0: exact vector search. Above 0, catalogues of "
        "20,000 practices or more use an approximate index (FAISS IVF) and scan this many of its "
        "groups per search; 64 keeps 94% of the exact hybrid top 10 at 100,000 practices (BENCHMARKS.md)")
    hnsw_ef_search: int = Field(
        default=0, ge=0, le=1000, description="PostgreSQL only. 0: exact vector search. Above 0, "
        "catalogues of 20,000 practices or more get an HNSW index (built by the next sync or "
        "'praktijkbank reindex') and search without filters goes through it with this ef_search; "
        "filtered search stays exact")
    query_cache_size: int = Field(
        default=2048, ge=0, le=1_000_000, description="Query vectors kept in memory per process "
        "(least recently used go first; about 4 KiB each with e5+use); a repeated query skips the "
        "model. 0 turns the cache off")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["*"],
        description="Sites that may call the API from a browser (comma-separated; * = all)",
    )
    max_per_page: int = 50
    max_query_chars: int = 500
    max_body_bytes: int = 256_000
    submission_rate: str = Field(default="5/minute", description="Public submissions per client")
    search_rate: str = Field(default="120/minute", description="Searches (and similar-practice "
                             "requests) per client; a person typing never gets near it")
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
