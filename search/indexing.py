"""Keeping the vector index in step with the store: sync, reindex, check and repair.

The store is the source of truth; the index is derived. Every write path (ingest, add, edit,
remove, API writes) ends in `sync`, which compares the index stamp with the store and applies
the difference. A crash between the store's commit and the index write leaves a stale but
detectable index, which `sync` (praktijkbank check --repair, or a server's start) brings back.
`IndexMaintenance` is also ingest's IndexUpdater: `prepare` embeds before the write
transaction, `stage` (inside it) does nothing for a FAISS file, `apply` syncs after it.
The PostgreSQL version (search/indexing_pg.py) shares the encoding and the store's checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from catalogue.errors import IndexMissing, IndexOutOfDate
from catalogue.model import Practice
from catalogue.store import Filters, PracticeStore
from catalogue.text import split_sentences
from search.embedders import Embedder
from search.index import Drift, drift
from search.index_faiss import IVF_MIN_ROWS
from search.index_file import IndexFile
from search.rebuild import BackgroundRebuild, RebuildsInBackground

Progress = Callable[[int], None]
_log = logging.getLogger("praktijkbank.index")
_EVERY_STATUS = Filters(status=())


@dataclass
class Encoded:
    """Vectors embedded before a write, by content hash: one per practice, and its sentences'."""

    vectors: dict[str, np.ndarray]
    passages: dict[str, np.ndarray]
    # practice id -> content hash of the practices encoded (a write stages their vectors by id)
    ids: dict[str, str] = field(default_factory=dict)

    def update(self, other: Encoded) -> None:
        self.vectors.update(other.vectors)
        self.passages.update(other.passages)
        self.ids.update(other.ids)


def encode(embedder: Embedder, practices: Sequence[Practice], *, passages: str | None,
           progress: Progress | None = None, batch: int = 16) -> Encoded:
    """Document vectors, and sentence vectors when `passages` is set, in batches of practices."""
    out = Encoded({}, {})
    for start in range(0, len(practices), batch):
        chunk = practices[start:start + batch]
        texts = [p.search_text() for p in chunk]
        vectors = embedder.encode_documents(texts)
        out.vectors.update((p.content_hash(), v) for p, v in zip(chunk, vectors, strict=True))
        out.ids.update((p.id, p.content_hash()) for p in chunk)
        if passages:
            sentences = [split_sentences(t) for t in texts]
            flat = embedder.encode_documents([s for group in sentences for s in group])
            bounds = np.cumsum([0, *(len(group) for group in sentences)])
            out.passages.update((p.content_hash(), flat[a:b])
                                for p, a, b in zip(chunk, bounds, bounds[1:], strict=False))
        if progress:
            progress(len(chunk))
    return out


def store_problems(store: PracticeStore, *, rows: bool) -> tuple[list[str], list[int]]:
    """The store's own problems (unreadable rows, derived tables, read-only) and the rids of its
    full-text table; `rows=False` skips reading every row through the model."""
    bad = store.bad_rows() if rows else {}
    derived = store.derived_problems()
    problems = [f"ongeldige rij: {p}" for p in bad.values()] + derived
    if reason := store.read_only_reason():
        problems.append(f"de catalogus kan alleen gelezen worden: {reason}")
    fts_rows: list[int] = []
    if not derived:  # the tables exist: do they hold every readable practice?
        fts_rows = store.fts_rowids()
        readable = set(store.filter_rids(_EVERY_STATUS)) - set(bad)
        if set(fts_rows) != readable:
            problems.append(f"volledige-tekstindex: {len(fts_rows)} rijen voor {len(readable)} praktijken")
    return problems, fts_rows


def drift_problem(found: Drift) -> str:
    return (f"zoekindex: {len(found.missing)} ontbrekend, {len(found.extra)} te veel, "
            f"{len(found.stale)} verouderd")


def repair_derived(store: PracticeStore) -> None:
    """Rebuild the tag and full-text tables from practices when they are missing or out of step."""
    if store.derived_problems() or set(store.fts_rowids()) != (
            set(store.filter_rids(_EVERY_STATUS)) - set(store.bad_rows())):
        store.rebuild_derived()


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


class IndexMaintainer(Protocol):
    """What the application core, the operations, the routes and the CLI use of an index's upkeep.

    IndexMaintenance keeps the FAISS file; search/indexing_pg.py keeps pgvector's tables."""

    background: BackgroundRebuild | None

    @property
    def rebuilding(self) -> bool: ...

    def progress(self) -> float | None: ...

    def prepare(self, practices: Sequence[Practice]) -> Encoded: ...

    def stage(self, store: PracticeStore, prepared: Any) -> None: ...

    def apply(self, store: PracticeStore, prepared: Any, *, removed: Iterable[int] = ()) -> None: ...

    def encode(self, practices: Sequence[Practice], *, progress: Progress | None = None,
               batch: int = 16) -> Encoded: ...

    def after_write(self, prepared: Encoded | None = None) -> None: ...

    def after_delete(self) -> None: ...

    def sync(self, *, prepared: Encoded | None = None, rebuild: bool = False,
             progress: Progress | None = None) -> SyncReport: ...

    def reindex(self, *, progress: Progress | None = None) -> SyncReport: ...

    def check(self, *, rows: bool = True) -> CheckReport: ...

    def state_key(self) -> Hashable:
        """A value that changes whenever `check(rows=False)` could answer differently: the
        committed catalogue's version and the index's own state (the server caches /health by it)."""
        ...

    def repair(self, *, progress: Progress | None = None) -> SyncReport: ...

    def repair_in_background(self) -> BackgroundRebuild: ...

    def warm(self) -> None: ...

    def is_warm(self) -> bool: ...


class IndexMaintenance(RebuildsInBackground):
    """Sync, reindex, check and repair of one store's FAISS index file."""

    def __init__(self, store: PracticeStore, index: IndexFile, embedder: Embedder) -> None:
        self.store = store
        self.index = index
        self.embedder = embedder
        # Set by a server: repairs after writes then run in this background thread.
        self.background = None

    # -- ingest's IndexUpdater ----------------------------------------------------------

    def prepare(self, practices: Sequence[Practice]) -> Encoded:
        """Embed changed practices before the write; fail early if the index cannot take them."""
        if self.index.exists:
            try:
                self.index.current()
            except IndexOutOfDate as e:
                if not isinstance(e, IndexMissing):
                    raise
        return self.encode(practices)

    def stage(self, store: PracticeStore, prepared: Any) -> None:
        """Nothing inside the write transaction: the FAISS file is written after the commit."""

    def apply(self, store: PracticeStore, prepared: Any, *, removed: Iterable[int] = ()) -> None:
        self.after_write(prepared)

    def encode(self, practices: Sequence[Practice], *, progress: Progress | None = None,
               batch: int = 16) -> Encoded:
        """Document vectors, and sentence vectors when the index holds them, in batches of practices."""
        return encode(self.embedder, practices, passages=self.index.passages, progress=progress, batch=batch)

    def after_write(self, prepared: Encoded | None = None) -> None:
        """Sync after a write. In a server, a missing or damaged index is rebuilt in the
        background instead of inside the request (the write itself is committed already)."""
        background = self.background
        if background is not None and (background.running or not self.index.loads()):
            background.request()
            return
        self.sync(prepared=prepared)

    def after_delete(self) -> None:
        """Sync after a practice was deleted, when there is an index to bring in step."""
        if self.index.exists or self.background is not None:
            self.after_write()

    # -- sync ---------------------------------------------------------------------------

    def sync(self, *, prepared: Encoded | None = None, rebuild: bool = False,
             progress: Progress | None = None) -> SyncReport:
        """Make the index hold exactly the store's published practices; embed what is missing."""
        with self.index.writing():
            if not rebuild and (unchanged := self._unchanged()) is not None:
                return unchanged
            index = self.index.for_update(fresh=rebuild)
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
            index.nprobe = self.index.nprobe
            had_ivf = index.ivf
            if index.nprobe:
                index.ensure_ivf()  # saved with the index, so that a server starts with it
            changed = bool(todo or found.extra or rebuild or index.ivf is not had_ivf)
            self.index.publish(index, save=changed)
            return SyncReport(added=len(rids), removed=len(found.extra) + len(found.stale), total=len(index))

    def _unchanged(self) -> SyncReport | None:
        """A report of no change when the index in memory is the file's and matches the store."""
        index = self.index.unchanged()
        if index is None or index.stamp.passages != self.index.passages:
            return None
        if not drift(index.stamp, self.store.index_entries()).ok:
            return None
        return SyncReport(added=0, removed=0, total=len(index))

    def reindex(self, *, progress: Progress | None = None) -> SyncReport:
        """Rebuild the full-text table and the vector index from the store."""
        self.store.rebuild_fts()
        return self.sync(rebuild=True, progress=progress)

    def warm(self) -> None:
        """Build the approximate index when configured and missing from the file."""
        if self.index.nprobe and (index := self.index.usable()) is not None:
            index.ensure_ivf()

    def is_warm(self) -> bool:
        index = self.index.loaded
        return not self.index.nprobe or index is None or len(index) < IVF_MIN_ROWS or index.ivf is not None

    # -- health and repair --------------------------------------------------------------

    def check(self, *, rows: bool = True) -> CheckReport:
        """Compare the store, its full-text table and the vector index; list every problem.

        `rows=False` skips reading every row through the model (the server's /health)."""
        store = self.store
        problems, fts_rows = store_problems(store, rows=rows)
        practices = store.count()
        expected = store.index_entries()
        index_count = index_embedder = found = None
        try:
            index = self.index.current(verify=False)
            index_count, index_embedder = len(index), index.stamp.embedder
            found = drift(index.stamp, expected)
            if not found.ok:
                problems.append(drift_problem(found))
            self.index.verify(index)
        except IndexOutOfDate as e:
            problems.append(str(e))
        return CheckReport(practices, len(expected), len(fts_rows), index_count, index_embedder,
                           self.embedder.name, found, problems)

    def state_key(self) -> Hashable:
        return self.store.version(), self.index.state_key()

    def repair(self, *, progress: Progress | None = None) -> SyncReport:
        """Bring the derived tables and the index back in line with the store, rebuilding only what is needed."""
        self.repair_derived()
        return self.sync(rebuild=not self.index.loads(), progress=progress)

    def repair_in_background(self) -> BackgroundRebuild:
        """A server's start: the derived tables now (SQL only), the vector index in a thread."""
        self.background = self.background or BackgroundRebuild(self)
        self.repair_derived()
        try:
            fresh = drift(self.index.current().stamp, self.store.index_entries()).ok
        except IndexOutOfDate:
            fresh = False
        if not fresh:
            self.background.request()
        return self.background

    def repair_derived(self) -> None:
        """Rebuild the tag and full-text tables from practices when they are missing or out of step."""
        repair_derived(self.store)

    def rebuild_round(self, *, started: Callable[[int], None], progress: Progress) -> SyncReport:
        """One round of the background rebuild: embed what lags (without the write lock), then sync.

        A missing, damaged or other model's index is rebuilt from every published practice."""
        entries = self.store.index_entries()
        try:
            found = drift(self.index.current().stamp, entries)
            rebuild, todo = False, found.missing + found.stale
        except IndexOutOfDate as e:  # missing, damaged or made by another embedder
            _log.warning("zoekindex wordt opnieuw opgebouwd: %s", e)
            rebuild, todo = True, [entry.rid for entry in entries]
        practices = list(self.store.get_many(todo).values())
        started(len(practices))
        prepared = self.encode(practices, progress=progress)
        return self.sync(prepared=prepared, rebuild=rebuild)
