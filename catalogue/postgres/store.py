"""The PostgreSQL store: the SQLite store's semantics over one database that several servers share.

The tables are migrations/0001_initial.sql; the keyword side is catalogue/postgres/fulltext.py,
backups and health checks catalogue/postgres/backup.py. Writes run in one transaction per batch
(catalogue/postgres/sessions.py); the schema's triggers bump the catalogue version in that
transaction and notify the other servers at commit. The in-memory read views (catalogue/views.py:
facet masks, BM25 postings, parsed rows) follow that version as this process knows it
(catalogue/postgres/version.py: LISTEN, a re-read every 2 s, and this process's own commits).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

from catalogue.errors import PracticeNotFound
from catalogue.facet_masks import FacetMasks
from catalogue.faults import crash_point
from catalogue.model import Practice
from catalogue.postgres import backup as pgbackup
from catalogue.postgres import rows as pgrows
from catalogue.postgres.connection import redact
from catalogue.postgres.fulltext import PostgresFullText, write_postings
from catalogue.postgres.sessions import Sessions
from catalogue.postgres.version import VersionWatch, shared_watch
from catalogue.sqlite_schema import SHOWN_CACHE_BATCH, SHOWN_CACHE_SIZE, from_row
from catalogue.store import FACET_KINDS, Filters, IndexEntry, RestoreResult, UpsertResult
from catalogue.views import RowCache, View

__all__ = ["PostgresStore"]

WRITE_CHUNK = 500  # practices per bulk write

# Tables a writer must be able to change, with the privileges it needs on each.
_WRITTEN = {"practices": ("INSERT", "UPDATE", "DELETE"), "practice_tags": ("INSERT", "DELETE"),
            "terms": ("INSERT", "DELETE"), "doclen": ("INSERT", "DELETE"), "catalogue_version": ("UPDATE",)}


class PostgresStore:
    """PracticeStore on a PostgreSQL database (migrated: see catalogue/postgres/backend.py)."""

    def __init__(self, pool: Any, *, watch: VersionWatch | None = None) -> None:
        url = str(pool.conninfo)
        self.url = redact(url)
        self.path = Path(self.url)  # the protocol's location of the catalogue: here no file
        self.pool = pool
        if watch is None:
            self.watch, self._release_watch = shared_watch(url)
        else:
            self.watch, self._release_watch = watch, lambda: None
        self.sessions = Sessions(pool, label=self.url, committed=self.watch.saw)
        self.masks: View[FacetMasks] = View(self.version, self._load_masks)
        self.shown = RowCache(self.version, size=SHOWN_CACHE_SIZE)
        self.fulltext = PostgresFullText(self)
        self.fulltext.rebuild_if_reanalysed()

    def transaction(self) -> AbstractContextManager[Any]:
        """One write transaction; nested calls (of this thread) join the outer one."""
        return self.sessions.transaction()

    def version(self) -> int:
        """The committed catalogue version as this process knows it: the read views' signal."""
        return self.watch.version()

    def read_only_reason(self) -> str | None:
        with self.sessions.connection() as conn:
            if conn.execute("SHOW default_transaction_read_only").fetchone()[0] == "on":
                return "de verbinding is alleen-lezen (default_transaction_read_only)"
            if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                return "de server is een alleen-lezen replica"
            for table, privileges in _WRITTEN.items():
                for privilege in privileges:
                    if not conn.execute("SELECT has_table_privilege(%s, %s)", [table, privilege]).fetchone()[0]:
                        return f"geen {privilege}-recht op de tabel {table}"
        return None

    # -- backups and health (catalogue/postgres/backup.py) ----------------------------------

    def backup(self, target: Path) -> int:
        """Write the catalogue to `target` as a SQLite backup, the format 'praktijkbank backup'
        makes on SQLite; one consistent snapshot, safe while serving. Returns its practices."""
        return pgbackup.snapshot(self, Path(target))

    def restore(self, source: Path, *, with_keys: bool = False) -> RestoreResult:
        """Replace the catalogue by a SQLite backup once all of it proved sound, in one transaction;
        the current API keys stay unless `with_keys`."""
        return pgbackup.restore(self, Path(source), with_keys=with_keys)

    def bad_rows(self) -> dict[int, str]:
        return pgbackup.bad_rows(self)

    def derived_problems(self) -> list[str]:
        return pgbackup.derived_problems(self)

    # -- read views -----------------------------------------------------------------------

    def _load_masks(self, version: int) -> FacetMasks:
        with self.sessions.snapshot() as conn:
            tags = conn.execute("SELECT kind, value, array_agg(rid) FROM practice_tags WHERE kind = ANY(%s) "
                                "GROUP BY kind, value ORDER BY kind, value", [list(FACET_KINDS)]).fetchall()
            status = conn.execute("SELECT status, array_agg(rid) FROM practices GROUP BY status").fetchall()
            size = int(conn.execute("SELECT coalesce(max(rid), 0) + 1 FROM practices").fetchone()[0])
        return FacetMasks.build(version, size, tags, status)

    def _facet_masks(self) -> FacetMasks | None:
        """The current facet masks; None inside a write transaction (it must see its own rows)."""
        if self.sessions.in_transaction():
            return None
        return self.masks.get()

    def warm(self) -> None:
        """Build the in-memory views (facet masks, BM25 postings) now, in this thread."""
        self.masks.get()
        self.fulltext.warm()

    def is_warm(self) -> bool:
        return self.fulltext.is_warm()

    def close(self) -> None:
        """Close the pool and release the version listener (the keys share the pool)."""
        self._release_watch()
        self.masks.clear()
        self.shown.clear()
        self.fulltext.clear()
        self.pool.close()

    # -- writes ---------------------------------------------------------------------------

    def write_connection(self) -> Any:
        """The connection of this thread's open write transaction: the vectors of the practices
        written in it go into the same transaction (search/indexing_pg.py)."""
        conn = self.sessions.current()
        if conn is None:
            raise RuntimeError("write_connection() is only available inside transaction()")
        return conn

    def upsert_many(self, practices: Iterable[Practice], *, dry_run: bool = False) -> UpsertResult:
        """Insert or update by id in one transaction; unchanged records are not touched.

        Written in chunks of WRITE_CHUNK practices, a few statements per chunk: a round trip to
        the server costs more than the SQL behind it."""
        result = UpsertResult()
        today = dt.date.today()
        try:
            with self.sessions.transaction() as conn:
                chunk: list[Practice] = []
                ids: set[str] = set()
                for practice in practices:
                    if len(chunk) >= WRITE_CHUNK or practice.id in ids:  # a repeated id sees the first
                        self._upsert_chunk(conn, chunk, result, today)
                        chunk, ids = [], set()
                    chunk.append(practice)
                    ids.add(practice.id)
                    crash_point("store:mid-transaction")
                self._upsert_chunk(conn, chunk, result, today)
                if dry_run:
                    raise _DryRun(result)
        except _DryRun:
            pass
        return result

    def _upsert_chunk(self, conn: Any, chunk: list[Practice], result: UpsertResult, today: dt.date) -> None:
        """Practices with distinct ids: one read of what exists, then the writes in bulk."""
        if not chunk:
            return
        existing = {row[0]: row[1:] for row in conn.execute(
            "SELECT id, rid, content_hash, created::text FROM practices WHERE id = ANY(%s)",
            [[p.id for p in chunk]]).fetchall()}
        inserts: list[tuple[Practice, dict[str, Any]]] = []
        updates: list[tuple[int, Practice, dict[str, Any]]] = []
        for practice in chunk:
            found = existing.get(practice.id)
            if found and found[1] == practice.content_hash():
                result.unchanged.append(practice.id)
                continue
            practice = practice.model_copy(update={
                "created": practice.created or (dt.date.fromisoformat(found[2]) if found and found[2] else today),
                "updated": today if found or not practice.updated else practice.updated,
            })
            if found:
                updates.append((int(found[0]), practice, pgrows.to_row(practice)))
                result.updated.append(practice.id)
            else:
                inserts.append((practice, pgrows.to_row(practice)))
                result.added.append(practice.id)
        written: list[tuple[int, Practice]] = []
        with conn.cursor() as cur:
            if updates:
                cur.executemany(pgrows.update_sql(updates[0][2]), [{**row, "rid": rid} for rid, _, row in updates])
                rids = [rid for rid, _, _ in updates]
                for table in ("practice_tags", "terms", "doclen"):
                    cur.execute(f"DELETE FROM {table} WHERE rid = ANY(%s)", [rids])
                written += [(rid, p) for rid, p, _ in updates]
            if inserts:
                cur.executemany(pgrows.insert_sql(inserts[0][1]), [row for _, row in inserts], returning=True)
                new_rids = []
                while True:
                    new_rids.append(int(cur.fetchone()[0]))
                    if not cur.nextset():
                        break
                written += list(zip(new_rids, [p for p, _ in inserts], strict=True))
        write_derived(conn, written)

    def delete(self, practice_id: str) -> int:
        """Delete a practice; its tags, postings and vectors go with it (ON DELETE CASCADE)."""
        with self.sessions.transaction() as conn:
            found = conn.execute("DELETE FROM practices WHERE id = %s RETURNING rid", [practice_id]).fetchone()
            if found is None:
                raise PracticeNotFound(practice_id)
        return int(found[0])

    def rebuild_derived(self) -> int:
        """Rebuild the tags and postings from `practices`; rows the model rejects get neither."""
        with self.sessions.transaction() as conn:
            conn.execute("DELETE FROM practice_tags")
            readable = list(self.readable_rows())
            for start in range(0, len(readable), WRITE_CHUNK):
                write_tags(conn, readable[start:start + WRITE_CHUNK])
            return self.fulltext.rebuild()

    def readable_rows(self) -> Iterator[tuple[int, Practice]]:
        rows = self.sessions.execute(f"SELECT rid, {pgrows.SELECT_COLUMNS} FROM practices ORDER BY rid")
        for rid, *values in rows:
            try:
                yield rid, from_row(dict(zip(pgrows.COLUMNS, values, strict=True)))
            except (ValueError, TypeError):  # json and pydantic errors; bad_rows() reports them
                continue

    # -- reads ------------------------------------------------------------------------

    def _practices(self, where: str, params: Any, tail: str = "") -> list[tuple[int, Practice]]:
        rows = self.sessions.execute(f"SELECT rid, {pgrows.SELECT_COLUMNS} FROM practices WHERE {where} {tail}",
                                     params)
        return [(int(rid), from_row(dict(zip(pgrows.COLUMNS, values, strict=True)))) for rid, *values in rows]

    def get(self, practice_id: str) -> Practice:
        found = self._practices("id = %s", [practice_id])
        if not found:
            raise PracticeNotFound(practice_id)
        return found[0][1]

    def rid_of(self, practice_id: str) -> int:
        row = self.sessions.one("SELECT rid FROM practices WHERE id = %s", [practice_id])
        if row is None:
            raise PracticeNotFound(practice_id)
        return int(row[0])

    def exists(self, practice_id: str) -> bool:
        return self.sessions.one("SELECT 1 FROM practices WHERE id = %s", [practice_id]) is not None

    def get_many(self, rids: Iterable[int]) -> dict[int, Practice]:
        """Practices by rid (unknown rids are left out), as copies.

        Result pages (up to SHOWN_CACHE_BATCH rids) are served from a cache of parsed practices
        of the current catalogue version; bulk reads and reads inside a write transaction bypass it.
        """
        wanted = [int(r) for r in rids]
        cached = len(wanted) <= SHOWN_CACHE_BATCH and not self.sessions.in_transaction()
        version, found = self.shown.lookup(wanted) if cached else (0, {})
        missing = [r for r in wanted if r not in found]
        if missing:
            fresh = dict(self._practices("rid = ANY(%s)", [missing]))
            if cached and fresh:
                self.shown.remember(version, fresh)
                fresh = {r: p.model_copy() for r, p in fresh.items()}
            found.update(fresh)
        return found

    def list_practices(self, filters: Filters, *, limit: int | None = None, offset: int = 0) -> list[Practice]:
        where, params = pgrows.where(filters)
        tail = f"ORDER BY {pgrows.TITLE_ORDER}"
        if limit is not None:
            tail += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        return [p for _, p in self._practices(where, params, tail)]

    def count(self, filters: Filters | None = None) -> int:
        where, params = pgrows.where(filters or Filters(status=()))
        row = self.sessions.one(f"SELECT count(*) FROM practices WHERE {where}", params)
        return int(row[0]) if row else 0

    def filter_rids(self, filters: Filters, *, by_title: bool = False) -> list[int]:
        if not by_title and FacetMasks.covers(filters) and (masks := self._facet_masks()) is not None:
            return masks.filter(filters)
        where, params = pgrows.where(filters)
        order = pgrows.TITLE_ORDER if by_title else "rid"
        return [int(r[0]) for r in self.sessions.execute(
            f"SELECT rid FROM practices WHERE {where} ORDER BY {order}", params)]

    def facet_counts(self, rids: Iterable[int]) -> dict[str, dict[str, int]]:
        masks = self._facet_masks()
        if masks is not None:
            return masks.counts(rids)
        counts: dict[str, dict[str, int]] = {kind: {} for kind in FACET_KINDS}
        rows = self.sessions.execute(
            "SELECT kind, value, count(*) FROM practice_tags WHERE kind = ANY(%s) AND rid = ANY(%s) "
            'GROUP BY kind, value ORDER BY count(*) DESC, value COLLATE "C"',
            [list(FACET_KINDS), [int(r) for r in rids]])
        for kind, value, n in rows:
            counts[kind][value] = int(n)
        return counts

    def tag_counts(self, filters: Filters) -> dict[str, dict[str, int]]:
        return self.facet_counts(self.filter_rids(filters))

    def index_entries(self) -> list[IndexEntry]:
        rows = self.sessions.execute(
            "SELECT rid, content_hash FROM practices WHERE status = 'published' ORDER BY rid")
        return [IndexEntry(int(rid), h) for rid, h in rows]

    # -- the keyword side (catalogue/postgres/fulltext.py) ----------------------------------

    def fts_scores(self, terms: Sequence[str], filters: Filters, *, limit: int,
                   rids: Sequence[int] | None = None,
                   weights: Mapping[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        return self.fulltext.fts_scores(terms, filters, limit=limit, rids=rids, weights=weights)

    def term_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        return self.fulltext.term_frequencies(terms)

    def word_counts(self) -> dict[str, int]:
        return self.fulltext.word_counts()

    def fts_rowids(self) -> list[int]:
        return self.fulltext.rowids()

    def rebuild_fts(self) -> int:
        return self.fulltext.rebuild()


def write_tags(conn: Any, items: Sequence[tuple[int, Practice]]) -> None:
    """The practices' tags, with COPY (their old ones must be gone)."""
    with conn.cursor() as cur, cur.copy("COPY practice_tags (kind, value, rid) FROM STDIN") as copy:
        for rid, practice in items:
            for row in pgrows.tag_rows(rid, practice):
                copy.write_row(row)


def write_derived(conn: Any, items: Sequence[tuple[int, Practice]]) -> None:
    """The practices' tags and postings (their old ones must be gone)."""
    write_tags(conn, items)
    write_postings(conn, items)


class _DryRun(Exception):
    """Raised inside a transaction to roll a dry run back; carries the would-be result."""

    def __init__(self, result: UpsertResult) -> None:
        super().__init__("dry run")
        self.result = result
