"""The composition root: one object that owns every part of a running Praktijkbank.

Built once from `Settings` by the HTTP app (at start-up) and by the CLI (per command), it wires
the store, the API keys, the embedder, the vector index, its maintenance, the search service and
the write operations together. Nothing below it reaches back up: the search service gets the
store, the index and the embedder; the curator tools get the parts they use.

    core = Praktijkbank.from_settings(Settings())
    core.search.search("mantelzorg")
    core.operations.publish("babbelonie")
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path

from api.operations import Operations
from catalogue.errors import IndexOutOfDate, PraktijkbankError
from catalogue.keys import ApiKeyStore
from catalogue.keys_sqlite import SqliteKeyStore
from catalogue.rate_limits import MemoryRateLimits, RateLimiter
from catalogue.settings import Settings
from catalogue.store import PracticeStore
from catalogue.store_sqlite import SqliteStore
from search.curation.duplicates import DuplicateFinder
from search.curation.suggest import TagSuggester
from search.embedders import Embedder, make_embedder
from search.embedders.lazy import LazyEmbedder
from search.embedders.query_cache import with_query_cache
from search.index import VectorIndex
from search.index_faiss import PASSAGE_SCHEME
from search.index_file import IndexFile
from search.indexing import CheckReport, IndexMaintainer, IndexMaintenance
from search.query import QueryPlanner
from search.service import SearchService, Tuning

_log = logging.getLogger("praktijkbank.server")
# A query the model embeds once at start, so that the first visitor does not wait for it.
WARM_QUERY = "praktijken voor ouderen in de buurt"


def tuning_from(settings: Settings) -> Tuning:
    """The ranking knobs that settings (environment variables) may change."""
    return Tuning(fusion=settings.fusion, dense_weight=settings.dense_weight,
                  lexical_weight=1.0 - settings.dense_weight, rrf_k=settings.rrf_k,
                  passage_weight=settings.passage_weight, ivf_nprobe=settings.ivf_nprobe,
                  hnsw_ef_search=settings.hnsw_ef_search)


@dataclass
class Praktijkbank:
    """Store, keys, embedder, vector index, index maintenance, search and operations."""

    store: PracticeStore
    keys: ApiKeyStore
    embedder: LazyEmbedder
    index: VectorIndex
    indexing: IndexMaintainer
    search: SearchService
    operations: Operations
    tuning: Tuning
    cache_dir: Path  # where derived files live (the label vectors of the tag suggester)
    limits: RateLimiter = field(default_factory=MemoryRateLimits)
    _warming: threading.Thread | None = field(default=None, repr=False)
    _health: tuple[Hashable, HealthReport] | None = field(default=None, repr=False)
    _health_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, create: bool = True,
                      embedder: LazyEmbedder | None = None) -> Praktijkbank:
        """The configured catalogue: PostgreSQL + pgvector when `database_url` is set, else SQLite
        + FAISS in `settings.home`; the configured embedder loads on first use. Two catalogues
        open at once (a copy between them) share one model by passing `embedder`."""
        tuning = tuning_from(settings)
        embedder = embedder or _lazy(lambda: with_query_cache(
            make_embedder(settings.embedder, allow_downloads=settings.allow_downloads), settings.query_cache_size))
        if settings.database_url:
            return cls.over_postgres(settings.database_url, embedder=embedder, tuning=tuning,
                                     cache_dir=settings.home)
        store = SqliteStore(settings.db_path, create=create)
        return cls.over(store, index_path=settings.index_path, embedder=embedder, tuning=tuning)

    @classmethod
    def over(cls, store: SqliteStore, *, index_path: Path, embedder: Embedder | Callable[[], Embedder],
             tuning: Tuning | None = None) -> Praktijkbank:
        """SQLite + the FAISS file around an open SQLite store (also for tests, benchmarks and tools)."""
        tuning = tuning or Tuning()
        lazy = _lazy(embedder)
        index = IndexFile(index_path, embedder=lazy, passages=_passages(tuning), nprobe=tuning.ivf_nprobe)
        return cls.assemble(store, SqliteKeyStore(store), index, IndexMaintenance(store, index, lazy), lazy,
                            tuning=tuning, cache_dir=Path(index_path).parent)

    @classmethod
    def over_postgres(cls, url: str, *, embedder: Embedder | Callable[[], Embedder], tuning: Tuning | None = None,
                      cache_dir: Path) -> Praktijkbank:
        """PostgreSQL + pgvector: every API server over the same database holds only the model and
        its read views; rate limits are counted in the database."""
        from catalogue.postgres.backend import open_postgres
        from catalogue.postgres.rate_limits import PostgresRateLimits
        from search.index_pgvector import PgVectorIndex
        from search.indexing_pg import PgIndexMaintenance

        tuning = tuning or Tuning()
        lazy = _lazy(embedder)
        store, keys = open_postgres(url)
        index = PgVectorIndex(store.pool, embedder=lazy, passages=_passages(tuning),
                              ef_search=tuning.hnsw_ef_search)
        core = cls.assemble(store, keys, index, PgIndexMaintenance(store, index, lazy), lazy,
                            tuning=tuning, cache_dir=cache_dir)
        core.limits = PostgresRateLimits(store.pool)
        return core

    @classmethod
    def assemble(cls, store: PracticeStore, keys: ApiKeyStore, index: VectorIndex, indexing: IndexMaintainer,
                 embedder: LazyEmbedder, *, tuning: Tuning, cache_dir: Path) -> Praktijkbank:
        """Wire the services over the parts of one backend."""
        search = SearchService(store, index, embedder, tuning, QueryPlanner())
        operations = Operations(store, indexing, DuplicateFinder(store, index, embedder))
        return cls(store, keys, embedder, index, indexing, search, operations, tuning, cache_dir)

    @property
    def passages(self) -> str | None:
        """The sentence-vector scheme the index holds, or None when sentences are not scored."""
        return _passages(self.tuning)

    def duplicates(self, *, threshold: float | None = None) -> DuplicateFinder:
        return DuplicateFinder(self.store, self.index, self.embedder, threshold=threshold)

    def suggester(self) -> TagSuggester:
        return TagSuggester(self.store, self.index, self.embedder, cache_dir=self.cache_dir)

    # -- serving ------------------------------------------------------------------------

    def warm(self) -> None:
        """Build what serving keeps in memory: the store's read views and, when configured,
        the approximate index."""
        self.store.warm()
        self.indexing.warm()

    def is_warm(self) -> bool:
        return self.store.is_warm() and self.indexing.is_warm()

    def start_serving(self) -> None:
        """A server's start: repair the derived tables now and the index in the background,
        and warm up in a thread of its own, so that the port opens at once."""
        self.indexing.repair_in_background()
        self._warming = threading.Thread(target=self.warm, name="praktijkbank-warm", daemon=True)
        self._warming.start()

    def warm_model(self) -> None:
        """Load the query model and embed one query, so that the first search costs what the next
        ones do (it took 1.9 s when the model loaded on the first query). A model that cannot load
        is reported by the searches themselves."""
        start = time.perf_counter()
        try:
            self.embedder.encode_queries([WARM_QUERY])
        except PraktijkbankError as e:
            _log.warning("Proces %d: het model kon niet opgewarmd worden: %s", os.getpid(), e)
            return
        _log.info("Proces %d: model %s geladen en opgewarmd in %.1f s", os.getpid(), self.embedder.name,
                  time.perf_counter() - start)

    def health_check(self) -> HealthReport:
        """`indexing.check(rows=False)` and the index's stamp, computed again only when they may
        have changed: the committed catalogue, the index, or whether the store can be written.
        Load balancers ask every few seconds; at 10k practices one check reads every row's hash
        and checksums the index's entries (~35 ms)."""
        key = (self.indexing.state_key(), self.store.read_only_reason())
        with self._health_lock:
            held = self._health
        if held is not None and held[0] == key:
            return held[1]
        stamp = None
        with contextlib.suppress(IndexOutOfDate):
            stamp = self.index.stamp.summary()
        report = HealthReport(self.indexing.check(rows=False), stamp)
        with self._health_lock:
            self._health = (key, report)  # the key was taken first: a change meanwhile moves it on
        return report

    def close(self) -> None:
        self.store.close()


@dataclass(frozen=True)
class HealthReport:
    """What /health reports beside the rebuild's progress: the store and index check, and the
    index's stamp (None when there is no usable index)."""

    check: CheckReport
    index_stamp: dict[str, object] | None


def _passages(tuning: Tuning) -> str | None:
    """The sentence-vector scheme the index holds, or None when sentences are not scored."""
    return PASSAGE_SCHEME if tuning.passage_weight > 0 else None


def _lazy(embedder: Embedder | Callable[[], Embedder]) -> LazyEmbedder:
    if isinstance(embedder, LazyEmbedder):
        return embedder
    if isinstance(embedder, Embedder):
        model = embedder
        return LazyEmbedder(lambda: model)
    return LazyEmbedder(embedder)
