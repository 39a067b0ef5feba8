"""What one speed run measures, shared by the parent and its child processes (it pickles)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.corpus import SEED, generate, write_jsonl
from benchmarks.speed_vectors import CACHE_DIR, CachedEmbedder, VectorCache
from catalogue.model import parse_practice
from catalogue.store import Filters, make_filters

MODES = ("hybrid", "semantic", "lexical")
RELEVANCE_DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Plan:
    """Settings of a run; every size uses the same queries, filters and vector cache."""

    work_dir: Path
    queries: tuple[str, ...]
    cache_dir: Path = CACHE_DIR
    real_limit: int = 10_000
    embedder_spec: str = "e5-small"
    seed: int = SEED
    repeat: int = 1
    http_requests: int = 30
    filter_share: float = 0.01
    relevance_data: Path = RELEVANCE_DATA
    # Filled in per size by `with_filters` (region/sector/krachtlijn dicts as in make_filters).
    filter_sets: tuple[dict[str, list[str]], ...] = field(default_factory=tuple)

    def home(self, size: int) -> Path:
        return self.work_dir / f"ours-{size}"

    def corpus_path(self, size: int) -> Path:
        return self.work_dir / "corpus" / f"corpus-{size}.jsonl"

    def filters(self) -> list[Filters]:
        return [make_filters(**f) for f in self.filter_sets]

    def embedder(self, bases: list[str] | None = None) -> CachedEmbedder:
        """The cached embedder; with bases, uncached texts get vectors derived from them."""
        from search.embedders import make_embedder

        real = make_embedder(self.embedder_spec)
        cache = VectorCache.for_embedder(real.name, real.dim, self.cache_dir)
        embedder = CachedEmbedder(real, cache, name=real.name, dim=real.dim, min_score=real.min_score)
        if bases:
            embedder.set_bases(bases)
        return embedder


def write_corpus(plan: Plan, size: int) -> list[dict[str, Any]]:
    """Generate the corpus of this size and write it as JSONL (the ingest source)."""
    records = list(generate(size, seed=plan.seed))
    write_jsonl(plan.corpus_path(size), records)
    return records


def read_corpus(plan: Plan, size: int) -> list[dict[str, Any]]:
    with plan.corpus_path(size).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def search_texts(records: list[dict[str, Any]]) -> list[str]:
    """The texts the engine embeds, exactly as ingest computes them."""
    return [parse_practice(r).search_text() for r in records]


def bases_for(plan: Plan, size: int) -> list[str]:
    """Texts whose real vectors seed the derived ones: those of records past the real budget,
    and of every practice's sentences (the index holds a vector per sentence; embedding them all
    for real would take hours, and a lookup costs the same whatever the vectors hold)."""
    return search_texts(read_corpus(plan, size)[: min(size, plan.real_limit)])
