"""Both backends rank every query of every relevance set alike (benchmarks/parity.py, with the
tests' embedder; the benchmark runs it with the real model)."""

from __future__ import annotations

from pathlib import Path

from api.core import Praktijkbank
from benchmarks.parity import compare
from benchmarks.relevance import Remembering
from catalogue.store_sqlite import SqliteStore
from ingest.pipeline import ingest_paths
from tests.conftest import ROOT, FakeEmbedder


def test_every_relevance_query_ranks_alike_on_sqlite_and_postgresql(postgres_url: str, tmp_path: Path) -> None:
    embedder = Remembering(FakeEmbedder())  # type: ignore[arg-type]
    sqlite = Praktijkbank.over(SqliteStore(tmp_path / "lite.db"), index_path=tmp_path / "lite.faiss",
                               embedder=embedder)
    postgres = Praktijkbank.over_postgres(postgres_url, embedder=embedder, cache_dir=tmp_path)
    try:
        assert not ingest_paths(sqlite.store, [ROOT / "data"], indexer=sqlite.indexing).rejected
        calls = embedder.model_calls
        ingest_paths(postgres.store, [ROOT / "data"], indexer=postgres.indexing)
        assert embedder.model_calls == calls  # the same vectors, as `migrate` copies them
        tallies = compare(sqlite, postgres, modes=("hybrid",))
    finally:
        postgres.close()
        sqlite.close()
    assert sum(t.queries for t in tallies.values()) > 200
    assert {key: t.differing for key, t in tallies.items() if t.differing} == {}
