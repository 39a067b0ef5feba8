"""The SQLite store: plain tables, WAL, one transaction per batch, FTS5 with Dutch stemming.

The tables and their migrations are in catalogue/sqlite_schema.py, the keyword side in
catalogue/sqlite_fulltext.py and backup and restore in catalogue/backup_sqlite.py. The
in-memory read views (catalogue/views.py: facet masks, BM25 postings, parsed rows) follow
`PRAGMA data_version` of a watcher connection that never writes, which changes whenever any
other connection or process commits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from catalogue import backup_sqlite
from catalogue.errors import PracticeNotFound, StoreError
from catalogue.facet_masks import FacetMasks
from catalogue.faults import crash_point
from catalogue.model import Practice
from catalogue.sqlite_connections import Connections
from catalogue.sqlite_fulltext import SqliteFullText, create_derived_tables
from catalogue.sqlite_schema import (
    COLUMNS,
    MIGRATIONS,
    SCHEMA_VERSION,
    SHOWN_CACHE_BATCH,
    SHOWN_CACHE_SIZE,
    TITLE_ORDER,
    from_row,
    fts_row,
    tag_rows,
    to_row,
)
from catalogue.store import FACET_KINDS, Filters, IndexEntry, RestoreResult, UpsertResult
from catalogue.views import RowCache, View

__all__ = ["SCHEMA_VERSION", "SqliteStore"]


class SqliteStore:
    """PracticeStore on one SQLite file."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(
                f"Geen catalogus gevonden in {self.path}. Maak er een met 'praktijkbank init'."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.connections = Connections(self.path)
        self._watch: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()
        self.masks: View[FacetMasks] = View(self.data_version, self._load_masks)
        self.shown = RowCache(self.data_version, size=SHOWN_CACHE_SIZE)
        self.fulltext = SqliteFullText(self)
        self._migrate()

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection."""
        return self.connections.db

    def transaction(self) -> AbstractContextManager[None]:
        """One write transaction (BEGIN IMMEDIATE); nested calls join the outer one."""
        return self.connections.transaction()

    def read_only_reason(self) -> str | None:
        return self.connections.read_only_reason()

    def _migrate(self) -> None:
        try:
            db = self.db
            if db.journal_mode != "wal":
                db.enable_wal()
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path} is geen leesbare SQLite-catalogus: {e}") from e
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} heeft schemaversie {version}; deze versie van praktijkbank kent "
                f"hoogstens {SCHEMA_VERSION}. Werk praktijkbank bij."
            )
        if version == SCHEMA_VERSION:
            self.fulltext.rebuild_if_reanalysed()
            return  # nothing to write: a read-only catalogue still opens for reading
        with self.transaction():
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target].strip().split(";\n"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [str(target)]
                )
        self.fulltext.rebuild_if_reanalysed()

    @property
    def schema_version(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0])

    # -- backups ------------------------------------------------------------------------

    def backup(self, target: Path) -> int:
        """Copy the catalogue to `target` with SQLite's online backup API; safe while serving.

        The copy is one consistent snapshot (a single backup step under one read transaction),
        written to a temporary file and renamed, so `target` is never half-written. Returns
        the number of practices in the copy.
        """
        return backup_sqlite.snapshot(self.db.conn, self.path, Path(target))

    def restore(self, source: Path, *, with_keys: bool = False) -> RestoreResult:
        """Replace the whole catalogue by a backup once all of it has proved sound.

        The backup is checked and prepared in a temporary copy (catalogue/backup_sqlite.py);
        nothing live is touched until then. The current API keys stay unless `with_keys`.
        """
        result = backup_sqlite.restore_into(self, Path(source), schema_version=SCHEMA_VERSION,
                                            with_keys=with_keys)
        self._migrate()
        return dataclasses.replace(result, practices=self.count())

    def replace_with(self, source: Path) -> None:
        """Replace the whole catalogue, API keys included, by the SQLite catalogue at `source`
        (complete, closed, and of this version's schema) in one step; readers see the old
        catalogue or the new one. A copy between backends is built in such a file first."""
        backup_sqlite.copy_over(Path(source), self.db.conn)

    # -- read views -----------------------------------------------------------------------

    def version(self) -> int:
        return self.data_version()

    def data_version(self) -> int:
        """Changes whenever another connection (thread or process) committed: the views' signal."""
        with self._watch_lock:
            if self._watch is None:
                self._watch = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                              timeout=30)
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def _load_masks(self, version: int) -> FacetMasks:
        with self._watch_lock:
            assert self._watch is not None  # data_version() opened it
            return FacetMasks.load(self._watch, version)

    def _facet_masks(self) -> FacetMasks | None:
        """The current facet masks; None inside a write transaction (it must see its own rows)."""
        if self.db.conn.in_transaction:
            return None
        return self.masks.get()

    def warm(self) -> None:
        """Build the in-memory views (facet masks, BM25 postings) now, in this thread.

        Safe to run in a thread of its own: the server does so at start, so that its first
        searches do not wait for them.
        """
        self.masks.get()
        self.fulltext.warm()

    def is_warm(self) -> bool:
        """Whether the BM25 postings in memory match the committed data."""
        return self.fulltext.is_warm()

    def close(self) -> None:
        self.connections.close()
        with self._watch_lock:
            if self._watch is not None:
                self._watch.close()
            self._watch = None
        self.masks.clear()
        self.shown.clear()
        self.fulltext.clear()

    # -- writes -----------------------------------------------------------------------

    def upsert_many(self, practices: Iterable[Practice], *, dry_run: bool = False) -> UpsertResult:
        """Insert or update by id in one transaction; unchanged records are not touched."""
        result = UpsertResult()
        today = dt.date.today()
        try:
            with self.transaction():
                for practice in practices:
                    self._upsert_one(practice, result, today)
                    crash_point("store:mid-transaction")
                if dry_run:
                    raise _DryRun(result)
        except _DryRun:
            pass
        return result

    def _upsert_one(self, practice: Practice, result: UpsertResult, today: dt.date) -> None:
        db = self.db
        existing = db.execute(
            "SELECT rid, content_hash, created FROM practices WHERE id = ?", [practice.id]
        ).fetchone()
        if existing and existing[1] == practice.content_hash():
            result.unchanged.append(practice.id)
            return
        practice = practice.model_copy(update={
            "created": practice.created or (dt.date.fromisoformat(existing[2])
                                            if existing and existing[2] else today),
            "updated": today if existing or not practice.updated else practice.updated,
        })
        row = to_row(practice)
        if existing:
            rid = existing[0]
            assignments = ", ".join(f"{c} = :{c}" for c in row if c != "id")
            db.execute(f"UPDATE practices SET {assignments} WHERE rid = :rid", {**row, "rid": rid})
            db.execute("DELETE FROM practice_tags WHERE rid = ?", [rid])
            db.execute("DELETE FROM practices_fts WHERE rowid = ?", [rid])
            result.updated.append(practice.id)
        else:
            columns = ", ".join(row)
            params = ", ".join(f":{c}" for c in row)
            rid = db.execute(f"INSERT INTO practices ({columns}) VALUES ({params})", row).lastrowid
            result.added.append(practice.id)
        db.conn.executemany("INSERT INTO practice_tags(kind, value, rid) VALUES (?, ?, ?)",
                       tag_rows(rid, practice))
        db.execute("INSERT INTO practices_fts(rowid, title, summary, body, tags) VALUES (?,?,?,?,?)",
                   [rid, *fts_row(practice)])

    def delete(self, practice_id: str) -> int:
        """Delete a practice and its derived rows; returns its rid."""
        with self.transaction():
            rid = self.rid_of(practice_id)
            self.db.execute("DELETE FROM practices_fts WHERE rowid = ?", [rid])
            self.db.execute("DELETE FROM practice_tags WHERE rid = ?", [rid])
            self.db.execute("DELETE FROM practices WHERE rid = ?", [rid])
        return rid

    def rebuild_derived(self) -> int:
        """Rebuild the tag and full-text tables from `practices`, creating them when missing.

        Rows the model rejects get neither; `bad_rows` names them for the curator."""
        with self.transaction():
            create_derived_tables(self.db)
            self.db.execute("DELETE FROM practice_tags")
            for rid, practice in self.readable_rows():
                self.db.conn.executemany("INSERT INTO practice_tags(kind, value, rid) VALUES (?, ?, ?)",
                                         tag_rows(rid, practice))
            return self.fulltext.rebuild()

    def readable_rows(self) -> Iterator[tuple[int, Practice]]:
        for row in self.db.query(f"SELECT rid, {', '.join(COLUMNS)} FROM practices"):
            try:
                yield row["rid"], from_row(row)
            except (ValueError, TypeError):  # json and pydantic errors; bad_rows() reports them
                continue

    def bad_rows(self) -> dict[int, str]:
        """The rows of `practices` that the model rejects, by rid, each named with its id and field."""
        return backup_sqlite.bad_rows(self.db.conn)

    def derived_problems(self) -> list[str]:
        """Derived tables that are missing or out of step with `practices`."""
        return backup_sqlite.derived_problems(self.db.conn)

    # -- reads ------------------------------------------------------------------------

    def get(self, practice_id: str) -> Practice:
        rows = list(self.db.query(f"SELECT {', '.join(COLUMNS)} FROM practices WHERE id = ?",
                                  [practice_id]))
        if not rows:
            raise PracticeNotFound(practice_id)
        return from_row(rows[0])

    def rid_of(self, practice_id: str) -> int:
        row = self.db.execute("SELECT rid FROM practices WHERE id = ?", [practice_id]).fetchone()
        if row is None:
            raise PracticeNotFound(practice_id)
        return int(row[0])

    def get_many(self, rids: Iterable[int]) -> dict[int, Practice]:
        """Practices by rid (unknown rids are left out).

        A result page's worth (up to SHOWN_CACHE_BATCH) is answered from a cache of parsed
        practices: reading and validating a row costs ~0.07 ms, and a result page asks for ten
        on every search. The cache holds one data_version of the committed data; bulk reads (a
        re-index) and reads inside a write transaction (its own rows) bypass it. Callers get
        copies, never the cached objects.
        """
        wanted = [int(r) for r in rids]
        cached = len(wanted) <= SHOWN_CACHE_BATCH and not self.db.conn.in_transaction
        version, found = self.shown.lookup(wanted) if cached else (0, {})
        missing = [r for r in wanted if r not in found]
        if missing:
            rows = self.db.query(
                f"SELECT rid, {', '.join(COLUMNS)} FROM practices "
                "WHERE rid IN (SELECT value FROM json_each(?))", [json.dumps(missing)]
            )
            fresh = {row["rid"]: from_row(row) for row in rows}
            if cached and fresh:
                self.shown.remember(version, fresh)
                fresh = {r: p.model_copy() for r, p in fresh.items()}
            found.update(fresh)
        return found

    def exists(self, practice_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM practices WHERE id = ?", [practice_id]).fetchone() is not None

    def _where(self, filters: Filters) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if filters.status:
            clauses.append(f"status IN ({', '.join('?' * len(filters.status))})")
            params.extend(filters.status)
        for kind, values in filters.by_kind().items():
            clauses.append(
                "rid IN (SELECT rid FROM practice_tags WHERE kind = ? "
                f"AND value IN ({', '.join('?' * len(values))}))"
            )
            params.extend([kind, *values])
        return (" AND ".join(clauses) or "1"), params

    def list_practices(self, filters: Filters, *, limit: int | None = None, offset: int = 0) -> list[Practice]:
        where, params = self._where(filters)
        sql = f"SELECT {', '.join(COLUMNS)} FROM practices WHERE {where} ORDER BY {TITLE_ORDER}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [from_row(row) for row in self.db.query(sql, params)]

    def count(self, filters: Filters | None = None) -> int:
        where, params = self._where(filters or Filters(status=()))
        return int(self.db.execute(f"SELECT count(*) FROM practices WHERE {where}", params).fetchone()[0])

    def filter_rids(self, filters: Filters, *, by_title: bool = False) -> list[int]:
        if not by_title and FacetMasks.covers(filters) and (masks := self._facet_masks()) is not None:
            return masks.filter(filters)
        where, params = self._where(filters)
        order = TITLE_ORDER if by_title else "rid"
        return [r[0] for r in self.db.execute(f"SELECT rid FROM practices WHERE {where} ORDER BY {order}", params)]

    def facet_counts(self, rids: Iterable[int]) -> dict[str, dict[str, int]]:
        masks = self._facet_masks()
        if masks is not None:
            return masks.counts(rids)
        wanted = json.dumps([int(r) for r in rids])
        counts: dict[str, dict[str, int]] = {kind: {} for kind in FACET_KINDS}
        rows = self.db.execute(
            "SELECT kind, value, count(*) FROM practice_tags WHERE kind IN ('krachtlijn','region','sector') "
            "AND rid IN (SELECT value FROM json_each(?)) GROUP BY kind, value ORDER BY count(*) DESC, value",
            [wanted],
        )
        for kind, value, n in rows:
            counts[kind][value] = n
        return counts

    def tag_counts(self, filters: Filters) -> dict[str, dict[str, int]]:
        """Counts per facet kind and value over the practices matching the filters."""
        return self.facet_counts(self.filter_rids(filters))

    def index_entries(self) -> list[IndexEntry]:
        rows = self.db.execute(
            "SELECT rid, content_hash FROM practices WHERE status = 'published' ORDER BY rid"
        )
        return [IndexEntry(rid, h) for rid, h in rows]

    # -- the keyword side (catalogue/sqlite_fulltext.py) -----------------------------------

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


class _DryRun(Exception):
    """Raised inside a transaction to roll a dry run back; carries the would-be result."""

    def __init__(self, result: UpsertResult) -> None:
        super().__init__("dry run")
        self.result = result
