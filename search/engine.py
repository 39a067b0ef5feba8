"""The search engine: the embedder and the FAISS index kept in step with the store.

SQLite is the source of truth; the index is derived. Every write path (ingest, add, edit,
remove, API writes) ends in `sync`, which compares the index stamp with the store and applies
the difference. A crash between the SQLite commit and the index write leaves a stale but
detectable index, which `sync` (praktijkbank check --repair, or server start) brings back.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from catalogue.errors import IndexMissing, IndexOutOfDate
from catalogue.model import Practice
from catalogue.settings import Settings
from catalogue.store import PracticeStore
from catalogue.text import split_sentences
from search.embedders import Embedder, make_embedder
from search.embedders.query_cache import with_query_cache
from search.index import Drift, drift
from search.index_faiss import IVF_MIN_ROWS, PASSAGE_SCHEME, FaissIndex
from search.query import QueryPlanner
from search.rebuild import BackgroundRebuild
from search.service import SearchService, Tuning

Progress = Callable[[int], None]
EmbedderFactory = Callable[[], Embedder]


@dataclass
class Encoded:
    """Vectors embedded before a write, by content hash: one per practice, and its sentences'."""

    vectors: dict[str, np.ndarray]
    passages: dict[str, np.ndarray]

    def update(self, other: Encoded) -> None:
        self.vectors.update(other.vectors)
        self.passages.update(other.passages)


@dataclass(frozen=True)
class SyncReport:
    """What a sync or reindex changed in the vector index."""

    added: int
    removed: int
    total: int


@dataclass(frozen=True)
class CheckReport:
    """The state of the derived data against the store."""

    practices: int
    published: int
    fts_rows: int
    index_count: int | None
    index_embedder: str | None
    configured_embedder: str
    drift: Drift | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


class SearchEngine:
    """Embedder + vector index over one store."""

    def __init__(self, store: PracticeStore, *, index_path: Path, embedder: EmbedderFactory | Embedder,
                 tuning: Tuning | None = None) -> None:
        self.store = store
        self.tuning = tuning or Tuning()
        self.index_path = Path(index_path)
        self._embedder_factory = embedder if callable(embedder) and not isinstance(embedder, Embedder) else None
        self._embedder: Embedder | None = None if self._embedder_factory else embedder  # type: ignore[assignment]
        self._index: FaissIndex | None = None
        self._index_key: tuple[int, int, int] | None = None
        self._verified = False  # whether the loaded index was checked against the embedder
        self._dirty = False  # a sync failed half-way: the index in memory may differ from the file
        self._lock = threading.RLock()
        # Set by a server: index repairs after writes then run in this background thread.
        self.background: BackgroundRebuild | None = None
        self.planner = QueryPlanner()  # the speller, shared by this engine's searches

    @classmethod
    def from_settings(cls, settings: Settings, store: PracticeStore) -> SearchEngine:
        tuning = Tuning(fusion=settings.fusion, dense_weight=settings.dense_weight,
                        lexical_weight=1.0 - settings.dense_weight, rrf_k=settings.rrf_k,
                        passage_weight=settings.passage_weight, ivf_nprobe=settings.ivf_nprobe)
        return cls(store, index_path=settings.index_path, tuning=tuning,
                   embedder=lambda: with_query_cache(make_embedder(settings.embedder, allow_downloads=settings.allow_downloads),
                                                     settings.query_cache_size))

    @property
    def passages(self) -> str | None:
        """The sentence-vector scheme the index must hold, or None when sentences are not scored."""
        return PASSAGE_SCHEME if self.tuning.passage_weight > 0 else None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            assert self._embedder_factory is not None
            self._embedder = self._embedder_factory()
        return self._embedder

    @property
    def embedder_name(self) -> str:
        """The embedder's name once it is loaded, without loading it ('' before)."""
        return self._embedder.name if self._embedder is not None else ""

    # -- the index on disk --------------------------------------------------------------

    def _file_key(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.index_path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def index(self, *, verify: bool = True) -> FaissIndex:
        """The current index, reloaded when another process replaced the file."""
        with self._lock:
            key = self._file_key()
            if key is None:
                raise IndexMissing("Er is nog geen zoekindex. Maak er een met 'praktijkbank reindex'.")
            if self._index is None or key != self._index_key:
                self._index, self._index_key = FaissIndex.load(self.index_path), key
                self._index.nprobe = self.tuning.ivf_nprobe
                self._verified = False
            if verify and not self._verified:
                self._verify_embedder(self._index)
                self._verified = True
            return self._index

    def _verify_embedder(self, index: FaissIndex) -> None:
        emb = self.embedder
        if index.stamp.embedder != emb.name or index.stamp.dim != emb.dim:
            raise IndexOutOfDate(
                f"De zoekindex is gemaakt met '{index.stamp.embedder}' ({index.stamp.dim} dimensies), "
                f"maar de ingestelde embedder is '{emb.name}' ({emb.dim}). "
                "Herbouw de index met 'praktijkbank reindex'."
            )
        if index.stamp.passages != self.passages:
            made = "met" if index.stamp.passages else "zonder"
            wanted = "wel" if self.passages else "geen"
            raise IndexOutOfDate(
                f"De zoekindex is gemaakt {made} zinsvectoren, maar de instelling "
                f"PRAKTIJKBANK_PASSAGE_WEIGHT vraagt er {wanted}. Herbouw de index met 'praktijkbank reindex'."
            )

    def index_if_usable(self) -> FaissIndex | None:
        """The index when it exists, matches the embedder and holds vectors; else None."""
        try:
            index = self.index()
        except IndexOutOfDate:  # IndexMissing is one too
            return None
        return index if len(index) else None

    def verify_fresh(self) -> FaissIndex:
        """The index, or IndexOutOfDate when it does not match the catalogue."""
        index = self.index()
        found = drift(index.stamp, self.store.index_entries())
        if not found.ok:
            raise IndexOutOfDate(
                f"De zoekindex loopt niet gelijk met de catalogus ({len(found.missing)} ontbrekend, "
                f"{len(found.extra)} te veel, {len(found.stale)} verouderd). "
                "Herstel met 'praktijkbank check --repair' of 'praktijkbank reindex'."
            )
        return index

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """One index writer at a time, across processes."""
        self.index_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.index_path.with_suffix(".lock"), "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- keeping it in step (the IndexUpdater protocol of ingest) --------------------------

    def updater(self) -> SearchEngine:
        return self

    def prepare(self, practices: Sequence[Practice]) -> Encoded:
        """Embed changed practices before the write; fail early if the index cannot take them."""
        if self._file_key() is not None:
            try:
                self.index()
            except IndexOutOfDate as e:
                if not isinstance(e, IndexMissing):
                    raise
        return self.encode(practices)

    def encode(self, practices: Sequence[Practice], *, progress: Progress | None = None,
               batch: int = 16) -> Encoded:
        """Document vectors, and sentence vectors when the index holds them, in batches of practices."""
        out = Encoded({}, {})
        for start in range(0, len(practices), batch):
            chunk = practices[start:start + batch]
            texts = [p.search_text() for p in chunk]
            vectors = self.embedder.encode_documents(texts)
            out.vectors.update((p.content_hash(), v) for p, v in zip(chunk, vectors, strict=False))
            if self.passages:
                sentences = [split_sentences(t) for t in texts]
                flat = self.embedder.encode_documents([s for group in sentences for s in group])
                bounds = np.cumsum([0, *(len(group) for group in sentences)])
                out.passages.update((p.content_hash(), flat[a:b]) for p, a, b in zip(chunk, bounds, bounds[1:], strict=False))
            if progress:
                progress(len(chunk))
        return out

    def apply(self, store: PracticeStore, prepared: Any, *, removed: Iterable[int] = ()) -> None:
        self._after_write(prepared)

    def _after_write(self, prepared: Encoded | None = None) -> None:
        """Sync after a write; in a server, a missing or damaged index is rebuilt in the background
        instead of inside the request (the write itself is committed already)."""
        background = self.background
        if background is not None and (background.running or not self._index_loads()):
            background.request()
            return
        self.sync(prepared=prepared)

    def _index_loads(self) -> bool:
        """Whether the index file exists, reads and matches the embedder (empty is fine)."""
        try:
            self.index()
        except IndexOutOfDate:
            return False
        return True

    def repair_in_background(self) -> BackgroundRebuild:
        """A server's start: the derived tables now (SQL only), the vector index in a thread."""
        self.background = self.background or BackgroundRebuild(self)
        self._repair_derived()
        try:
            self.verify_fresh()
        except IndexOutOfDate:
            self.background.request()
        return self.background

    def sync(self, *, prepared: Encoded | None = None, rebuild: bool = False,
             progress: Progress | None = None) -> SyncReport:
        """Make the index hold exactly the store's published practices; embed what is missing."""
        with self._lock, self._write_lock():
            # Writers hold this lock, so any temporary index file is a crashed writer's leftover.
            for leftover in self.index_path.parent.glob(".index-*.tmp"):
                leftover.unlink(missing_ok=True)
            if not rebuild and (unchanged := self._unchanged()) is not None:
                return unchanged  # the common case at start-up: no second load of the file
            index = self._fresh_or_loaded(rebuild)
            self._dirty = True  # until saved, the object below may differ from the file
            found = drift(index.stamp, self.store.index_entries())
            index.remove(found.extra + found.stale)
            todo = found.missing + found.stale
            practices = self.store.get_many(todo)
            ready = Encoded({}, {})
            if prepared is not None:
                ready.update(prepared)
            need = [p for p in practices.values() if p.content_hash() not in ready.vectors
                    or (index.has_passages and p.content_hash() not in ready.passages)]
            if need:
                ready.update(self.encode(need, progress=progress))
            rids = sorted(practices)
            if rids:
                hashes = [practices[r].content_hash() for r in rids]
                passages = [ready.passages[h] for h in hashes] if index.has_passages else None
                index.upsert(rids, np.stack([ready.vectors[h] for h in hashes]), hashes, passages)
            index.nprobe = self.tuning.ivf_nprobe
            had_ivf = index.ivf
            if index.nprobe:
                index.ensure_ivf()  # saved with the index, so that a server starts with it
            if todo or found.extra or rebuild or self._file_key() is None or index.ivf is not had_ivf:
                index.save(self.index_path)
            self._index, self._index_key, self._verified = index, self._file_key(), False
            self._dirty = False
            return SyncReport(added=len(rids), removed=len(found.extra) + len(found.stale), total=len(index))

    def warm(self) -> None:
        """Build what serving keeps in memory: the store's views and, when configured and
        missing from the file, the approximate index. The server runs this in a thread at start."""
        warm_store = getattr(self.store, "warm", None)
        if warm_store is not None:
            warm_store()
        if self.tuning.ivf_nprobe and (index := self.index_if_usable()) is not None:
            index.ensure_ivf()

    def is_warm(self) -> bool:
        store_warm = getattr(self.store, "is_warm", None)
        if store_warm is not None and not store_warm():
            return False
        index = self._index
        return not self.tuning.ivf_nprobe or index is None or len(index) < IVF_MIN_ROWS or index.ivf is not None

    def _unchanged(self) -> SyncReport | None:
        """A report of no change when the index in memory is the file's and matches the store."""
        if self._dirty or not self._verified or self._index is None or self._index_key != self._file_key():
            return None
        if self._index.stamp.passages != self.passages or not drift(self._index.stamp,
                                                                    self.store.index_entries()).ok:
            return None
        return SyncReport(added=0, removed=0, total=len(self._index))

    def _fresh_or_loaded(self, rebuild: bool) -> FaissIndex:
        emb = self.embedder
        if rebuild or self._file_key() is None:
            return FaissIndex(emb.dim, emb.name, passages=self.passages)
        self._index = None  # always start from the file: another process may have written it
        return self.index()

    def reindex(self, *, progress: Progress | None = None) -> SyncReport:
        """Rebuild FTS and the vector index from the store."""
        self.store.rebuild_fts()  # type: ignore[attr-defined]
        return self.sync(rebuild=True, progress=progress)

    def remove(self, practice_id: str) -> None:
        """Delete a practice from the store, then from the index."""
        self.store.delete(practice_id)
        if self._file_key() is not None or self.background is not None:
            self._after_write()

    # -- health -------------------------------------------------------------------------

    def check(self, *, rows: bool = True) -> CheckReport:
        """Compare the store, its FTS table and the vector index; list every problem.

        `rows=False` skips reading every row through the model (the server's /health)."""
        store = self.store
        bad = store.bad_rows() if rows else {}
        derived = store.derived_problems()
        problems = [f"ongeldige rij: {p}" for p in bad.values()] + derived
        if reason := store.read_only_reason():
            problems.append(f"de catalogus kan alleen gelezen worden: {reason}")
        practices = store.count()
        expected = store.index_entries()
        fts_rows: list[int] = []
        if not derived:  # the tables exist: do they hold every readable practice?
            fts_rows = store.fts_rowids()  # type: ignore[attr-defined]
            readable = set(store.filter_rids(_ALL)) - set(bad)
            if set(fts_rows) != readable:
                problems.append(f"volledige-tekstindex: {len(fts_rows)} rijen voor {len(readable)} praktijken")
        index_count = index_embedder = found = None
        try:
            index = self.index(verify=False)
            index_count, index_embedder = len(index), index.stamp.embedder
            found = drift(index.stamp, expected)
            if not found.ok:
                problems.append(f"zoekindex: {len(found.missing)} ontbrekend, {len(found.extra)} te veel, "
                                f"{len(found.stale)} verouderd")
            self._verify_embedder(index)
        except IndexOutOfDate as e:
            problems.append(str(e))
        return CheckReport(practices, len(expected), len(fts_rows), index_count, index_embedder,
                           self.embedder.name, found, problems)

    def repair(self, *, progress: Progress | None = None) -> SyncReport:
        """Bring FTS and the index back in line with the store, rebuilding only what is needed."""
        self._repair_derived()
        try:
            self.index()
        except IndexOutOfDate:
            return self.sync(rebuild=True, progress=progress)
        return self.sync(progress=progress)

    def _repair_derived(self) -> None:
        """Rebuild the tag and full-text tables from practices when they are missing or out of step."""
        store = self.store
        if store.derived_problems() or set(store.fts_rowids()) != (  # type: ignore[attr-defined]
                set(store.filter_rids(_ALL)) - set(store.bad_rows())):
            store.rebuild_derived()

    def service(self) -> SearchService:
        return SearchService(self.store, self, self.tuning)


def _all_statuses() -> Any:
    from catalogue.store import Filters

    return Filters(status=())


_ALL = _all_statuses()
