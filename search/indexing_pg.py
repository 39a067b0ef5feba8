"""Keeping pgvector's tables in step with the practices: stage, sync, reindex, check and repair.

The vectors live in the catalogue's own database, so a write stores them in the SAME transaction
as the practice rows (`stage`, called by ingest's store_practices inside `store.transaction()`):
no crash window between store and index. A deleted practice takes its vectors along (ON DELETE
CASCADE). What can still lag is what was written without the maintenance (another tool, a copy,
a change of model): a vector lags when its content hash differs from its practice's, when a
published practice has none, or when the configured sentence vectors are missing. `check`
reports those rows, `sync` and `repair` embed them, `reindex` re-embeds every practice.

Embedding happens outside any transaction. Each batch is then written in a short transaction
that first takes the catalogue-version row (the lock every writer takes at its first statement)
and then only the practice rows no writer holds (FOR SHARE SKIP LOCKED), writing a vector only
when its practice still has the content hash it was embedded from; so sync and writers never
deadlock, and a row changed meanwhile stays lagging for the next round instead of getting a
vector of its old text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Protocol

from catalogue.errors import IndexMissing, IndexOutOfDate
from catalogue.model import Practice
from catalogue.store import PracticeStore
from search.embedders import Embedder
from search.index import Drift, verify_stamp
from search.index_pgvector import (
    HNSW_MIN_ROWS,
    PgVectorIndex,
    build_hnsw,
    delete_vectors,
    record_model,
    stored_model,
    write_vectors,
)
from search.indexing import (
    CheckReport,
    Encoded,
    Progress,
    SyncReport,
    drift_problem,
    encode,
    repair_derived,
    store_problems,
)
from search.rebuild import BackgroundRebuild, RebuildsInBackground

_log = logging.getLogger("praktijkbank.index")
# Practices embedded and written per transaction by sync.
WRITE_BATCH = 256
# After writing this many practices' vectors, sync and a staged write (a migrate) refresh the planner's
# statistics at once: with the stale ones of a freshly filled table, `rid = ANY(...)` over passages
# ran as a sequential scan (measured: 20x slower at 10k practices, also right after a migrate) until
# autovacuum came by.
ANALYZE_AFTER = 1000


class PgWriteStore(PracticeStore, Protocol):
    """A store in the same PostgreSQL database as the vectors."""

    def write_connection(self) -> Any:
        """The psycopg connection of this thread's open write transaction (inside `transaction()`)."""


class PgIndexMaintenance(RebuildsInBackground):
    """Sync, reindex, check and repair of the vectors in PostgreSQL; ingest's IndexUpdater."""

    def __init__(self, store: PgWriteStore, index: PgVectorIndex, embedder: Embedder) -> None:
        self.store = store
        self.index = index
        self.pool = index.pool
        self.embedder = embedder
        # Set by a server: repairs after writes then run in this background thread.
        self.background = None

    # -- ingest's IndexUpdater ----------------------------------------------------------

    def prepare(self, practices: Sequence[Practice]) -> Encoded:
        """Embed changed practices before the write; fail early when the stored vectors are
        another model's. A database without vectors yet gets the model recorded now, in a short
        transaction of its own: typing the columns locks `vectors` against every reader."""
        try:
            self.index.verify()
        except IndexMissing:
            self._ensure_model(rebuild=False)
        return self.encode(practices)

    def stage(self, store: PracticeStore, prepared: Any) -> None:
        """Inside the write transaction, after the upsert: the vectors of the practices just
        written that are published, and none for those that are not (any more).

        `store` is this maintenance's store, whose transaction is open on this thread."""
        if not isinstance(prepared, Encoded) or not prepared.ids:
            return
        if store is not self.store:
            raise ValueError("stage: the vectors are written in the transaction of the maintenance's own store")
        conn = self.store.write_connection()
        stored = stored_model(conn)
        if stored is None:
            record_model(conn, self.embedder, self.index.passages)  # the first vectors of this database
        else:
            verify_stamp(stored, self.embedder, self.index.passages)
        rows = conn.execute("SELECT rid, id, content_hash, status FROM practices WHERE id = ANY(%s::text[])",
                            [list(prepared.ids)]).fetchall()
        keep = [(int(rid), column_hash, prepared.ids[pid]) for rid, pid, column_hash, status in rows
                if status == "published" and prepared.ids[pid] in prepared.vectors]
        delete_vectors(conn, [int(rid) for rid, _, _, status in rows if status != "published"])
        self._write(conn, [(rid, column_hash, hashed) for rid, column_hash, hashed in keep], prepared)

    def apply(self, store: PracticeStore, prepared: Any, *, removed: Iterable[int] = ()) -> None:
        """After the commit: the vectors were committed with the rows (`stage`), and removed
        practices took theirs along. A large write (a copy by `praktijkbank migrate`) refreshes
        the planner's statistics, as sync does. A running background rebuild is asked for one
        more round, as it may have read the rows before this write."""
        if isinstance(prepared, Encoded) and len(prepared.ids) >= ANALYZE_AFTER:
            self._analyze()
        if self.rebuilding and self.background is not None:
            self.background.request()

    def encode(self, practices: Sequence[Practice], *, progress: Progress | None = None,
               batch: int = 16) -> Encoded:
        """Document vectors, and sentence vectors when configured, in batches of practices."""
        return encode(self.embedder, practices, passages=self.index.passages, progress=progress, batch=batch)

    def after_write(self, prepared: Encoded | None = None) -> None:
        """Embed whatever lags after a write made without `stage`; in a server, in the background."""
        if self.background is not None:
            self.background.request()
            return
        self.sync(prepared=prepared)

    def after_delete(self) -> None:
        """Nothing: a deleted practice's vectors go with its row (ON DELETE CASCADE)."""

    # -- sync ---------------------------------------------------------------------------

    def sync(self, *, prepared: Encoded | None = None, rebuild: bool = False,
             progress: Progress | None = None) -> SyncReport:
        """Embed what lags (everything when `rebuild`) and drop the vectors of unpublished rows.

        With the same model a rebuild overwrites vectors batch by batch, so search keeps
        answering; a new model or dimension deletes the old vectors first.
        """
        self._ensure_model(rebuild=rebuild)
        removed = self._drop_unpublished()
        todo = self._todo(rebuild=rebuild)
        added = self._embed_and_write(todo, prepared=prepared, progress=progress)
        total = self._count_and_build_hnsw()
        return SyncReport(added=added, removed=removed + sum(1 for _, _, had in todo if had), total=total)

    def reindex(self, *, progress: Progress | None = None) -> SyncReport:
        """Re-analyse the full text and re-embed every published practice."""
        self.store.rebuild_fts()
        return self.sync(rebuild=True, progress=progress)

    def rebuild_round(self, *, started: Callable[[int], None], progress: Progress) -> SyncReport:
        """One round of the background rebuild: embed and write what lags, batch by batch."""
        rebuild = not self.index.loads()
        if rebuild:
            _log.warning("zoekindex wordt opnieuw opgebouwd: de opgeslagen vectoren passen niet bij de embedder")
        self._ensure_model(rebuild=rebuild)
        removed = self._drop_unpublished()
        todo = self._todo(rebuild=rebuild)
        started(len(todo))
        added = self._embed_and_write(todo, prepared=None, progress=progress)
        total = self._count_and_build_hnsw()
        return SyncReport(added=added, removed=removed, total=total)

    def _count_and_build_hnsw(self) -> int:
        """The number of vectors; with approximate search opted in (ef_search > 0) and at least
        HNSW_MIN_ROWS of them, the HNSW index is built first when it is missing (logged: at
        100,000 practices it takes minutes, while searches go on exactly)."""
        with self.pool.connection() as conn:
            total = int(conn.execute("SELECT count(*) FROM vectors").fetchone()[0])
        if self.index.ef_search > 0 and total >= HNSW_MIN_ROWS:
            started = time.perf_counter()
            if build_hnsw(self.pool):
                _log.info("HNSW-index gebouwd over %d vectoren in %.0f s", total, time.perf_counter() - started)
        return total

    def _ensure_model(self, *, rebuild: bool) -> None:
        """Record the configured model (first build, rebuild, or a change of sentence scheme);
        IndexOutOfDate when the stored vectors are another model's and this is no rebuild."""
        with self.pool.connection() as conn, conn.transaction():
            stored = stored_model(conn)
            if stored is not None and not rebuild and (stored.embedder, stored.dim) != (self.embedder.name,
                                                                                     self.embedder.dim):
                verify_stamp(stored, self.embedder, self.index.passages)
            _take_version_lock(conn)
            record_model(conn, self.embedder, self.index.passages, reset=rebuild)

    def _drop_unpublished(self) -> int:
        with self.pool.connection() as conn, conn.transaction():
            _take_version_lock(conn)
            gone = [int(r) for (r,) in conn.execute(
                "SELECT v.rid FROM vectors v JOIN practices p ON p.rid = v.rid "
                "WHERE p.status <> 'published' FOR UPDATE OF v SKIP LOCKED").fetchall()]
            delete_vectors(conn, gone)
        return len(gone)

    def _todo(self, *, rebuild: bool) -> list[tuple[int, str, bool]]:
        """(rid, content hash, whether it has a vector) of the published practices to embed."""
        lagging = "" if rebuild else f"AND ({_LAGS}{_NO_PASSAGES if self.index.passages else ''})"
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT p.rid, p.content_hash, v.rid IS NOT NULL FROM practices p "
                "LEFT JOIN vectors v ON v.rid = p.rid "
                f"WHERE p.status = 'published' {lagging} ORDER BY p.rid").fetchall()
        return [(int(rid), h, bool(had)) for rid, h, had in rows]

    def _embed_and_write(self, todo: Sequence[tuple[int, str, bool]], *, prepared: Encoded | None,
                         progress: Progress | None) -> int:
        written = 0
        for start in range(0, len(todo), WRITE_BATCH):
            chunk = todo[start:start + WRITE_BATCH]
            practices = self.store.get_many(rid for rid, _, _ in chunk)
            ready = Encoded({}, {})
            if prepared is not None:
                ready.update(prepared)
            need = [p for p in practices.values() if p.content_hash() not in ready.vectors
                    or (self.index.passages and p.content_hash() not in ready.passages)]
            if need:
                ready.update(self.encode(need, progress=progress))
            if progress and len(need) < len(chunk):
                progress(len(chunk) - len(need))
            expected = {rid: column_hash for rid, column_hash, _ in chunk}
            with self.pool.connection() as conn, conn.transaction():
                _take_version_lock(conn)
                current = conn.execute(
                    "SELECT rid, content_hash FROM practices WHERE rid = ANY(%s::bigint[]) "
                    "AND status = 'published' FOR SHARE SKIP LOCKED", [list(expected)]).fetchall()
                rows = [(int(rid), h, practices[rid].content_hash()) for rid, h in current
                        if expected.get(rid) == h and rid in practices]
                written += self._write(conn, rows, ready)
        if written >= ANALYZE_AFTER:
            self._analyze()
        return written

    def _analyze(self) -> None:
        with self.pool.connection() as conn:
            conn.execute("ANALYZE vectors, passages")

    def _write(self, conn: Any, rows: Sequence[tuple[int, str, str]], ready: Encoded) -> int:
        """Write (rid, content hash to record, hash the vectors are keyed by) rows from `ready`."""
        rows = [r for r in rows if r[2] in ready.vectors
                and (not self.index.passages or r[2] in ready.passages)]
        write_vectors(conn, [(rid, column_hash, ready.vectors[key]) for rid, column_hash, key in rows],
                      [ready.passages[key] for _, _, key in rows] if self.index.passages else None)
        return len(rows)

    # -- health and repair --------------------------------------------------------------

    def drift(self) -> Drift:
        """Published practices without a vector (missing), vectors of practices that are not
        published (extra), and vectors that lag their content or miss their sentences (stale)."""
        no_passages = _NO_PASSAGES if self.index.passages else ""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT p.rid, CASE WHEN v.rid IS NULL THEN 'missing' "
                "WHEN p.status <> 'published' THEN 'extra' ELSE 'stale' END "
                "FROM practices p LEFT JOIN vectors v ON v.rid = p.rid "
                "WHERE (p.status = 'published' AND (v.rid IS NULL OR v.content_hash <> p.content_hash"
                f"{no_passages})) OR (p.status <> 'published' AND v.rid IS NOT NULL) ORDER BY p.rid").fetchall()
        kinds: dict[str, list[int]] = {"missing": [], "extra": [], "stale": []}
        for rid, kind in rows:
            kinds[kind].append(int(rid))
        return Drift(**kinds)

    def check(self, *, rows: bool = True) -> CheckReport:
        """Compare the store, its full-text table and the vectors; list every problem.

        `rows=False` skips reading every row through the model (the server's /health)."""
        problems, fts_rows = store_problems(self.store, rows=rows)
        practices = self.store.count()
        published = len(self.store.index_entries())
        index_count = index_embedder = found = None
        with self.pool.connection() as conn:
            stored = stored_model(conn)
            if stored is not None:
                index_count = int(conn.execute("SELECT count(*) FROM vectors").fetchone()[0])
                index_embedder = stored.embedder
        found = self.drift()
        if not found.ok:
            problems.append(drift_problem(found))
        try:
            self.index.verify()
        except IndexOutOfDate as e:
            problems.append(str(e))
        return CheckReport(practices, published, len(fts_rows), index_count, index_embedder,
                           self.embedder.name, found, problems)

    def state_key(self) -> Hashable:
        # Every write to the practices, their terms, vectors and sentences bumps the catalogue
        # version (migrations/0001_initial.sql), from this process or another server.
        return self.store.version()

    def repair(self, *, progress: Progress | None = None) -> SyncReport:
        """Bring the derived tables and the vectors back in line, embedding only what lags
        (everything when the stored vectors are another model's)."""
        self.repair_derived()
        return self.sync(rebuild=not self.index.loads(), progress=progress)

    def repair_in_background(self) -> BackgroundRebuild:
        """A server's start: the derived tables now (SQL only), the vectors in a thread."""
        self.background = self.background or BackgroundRebuild(self)
        self.repair_derived()
        if not (self.index.loads() and self.drift().ok):
            self.background.request()
        return self.background

    def repair_derived(self) -> None:
        repair_derived(self.store)

    def warm(self) -> None:
        """Nothing to build: the vectors are scanned in the database."""

    def is_warm(self) -> bool:
        return True


# A published practice's vector lags: none, or made from other content.
_LAGS = "v.rid IS NULL OR v.content_hash <> p.content_hash"
# ... or its sentence vectors are missing (when they are configured).
_NO_PASSAGES = " OR NOT EXISTS (SELECT 1 FROM passages s WHERE s.rid = p.rid)"


def _take_version_lock(conn: Any) -> None:
    """Lock the catalogue-version row first, as every writer does at its first statement (the
    version triggers), so a vector write never waits for a writer while holding what that writer
    needs. Locking does not bump the version: only actual writes do."""
    conn.execute("SELECT version FROM catalogue_version FOR UPDATE")
