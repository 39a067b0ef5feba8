"""The SQLite store: plain tables, WAL, one transaction per batch, FTS5 with Dutch stemming.

Tables (readable in Datasette or the sqlite3 shell):
- practices: one row per practice; list fields as JSON arrays; `rid` is the stable integer
  key that the vector index uses (AUTOINCREMENT, so a deleted rid is never reused).
- practice_tags: (rid, kind, value) for fast filters and facets.
- practices_fts: FTS5 over folded, Dutch-stemmed text (derived, rebuilt from practices).
- meta: schema_version and other stamps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from catalogue import analysis, backup_sqlite
from catalogue.errors import PracticeNotFound, StoreError, StoreReadOnly
from catalogue.facet_masks import FacetMasks
from catalogue.faults import crash_point
from catalogue.lexicon import Lexicon
from catalogue.model import LIST_FIELDS, Practice
from catalogue.store import FACET_KINDS, Filters, IndexEntry, RestoreResult, UpsertResult
from catalogue.text import analyze, word_counts
from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS

_log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
_COLUMNS = (
    "id", "title", "summary", "description", "organisation", "region", "municipality",
    "sectors", "krachtlijnen", "target_groups", "themes", "website", "source_url", "contact",
    "status", "created", "updated", "last_reviewed", "extra", "start_year", "end_year",
)
_TITLE_ORDER = "title COLLATE NOCASE, id"
# bm25() column weights: title, summary, body, tags.
FTS_WEIGHTS = (4.0, 2.0, 1.0, 1.5)
# get_many serves reads of up to this many rids (result pages) from a cache of parsed practices
# of at most SHOWN_CACHE_SIZE entries.
SHOWN_CACHE_BATCH = 100
SHOWN_CACHE_SIZE = 5000

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS practices (
    rid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT,
    organisation TEXT NOT NULL,
    region TEXT NOT NULL,
    municipality TEXT,
    sectors TEXT NOT NULL,
    krachtlijnen TEXT NOT NULL,
    target_groups TEXT NOT NULL DEFAULT '[]',
    themes TEXT NOT NULL DEFAULT '[]',
    website TEXT,
    source_url TEXT,
    contact TEXT,
    status TEXT NOT NULL,
    created TEXT,
    updated TEXT,
    last_reviewed TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS practices_status ON practices(status);
CREATE TABLE IF NOT EXISTS practice_tags (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    rid INTEGER NOT NULL REFERENCES practices(rid) ON DELETE CASCADE,
    PRIMARY KEY (kind, value, rid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS practice_tags_rid ON practice_tags(rid);
CREATE VIRTUAL TABLE IF NOT EXISTS practices_fts USING fts5(
    title, summary, body, tags, tokenize = 'unicode61 remove_diacritics 2'
);
"""

# Version 2: API keys for curators' writes, stored only as hashes.
_SCHEMA_V2 = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
"""

# A practice's period: start year, and end year or 'lopend'.
_SCHEMA_V3 = """
ALTER TABLE practices ADD COLUMN start_year INTEGER;
ALTER TABLE practices ADD COLUMN end_year TEXT
"""

# Migrations from version N-1 to N; version 1 is the initial schema.
MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1, 2: _SCHEMA_V2, 3: _SCHEMA_V3}


def _tag_rows(rid: int, p: Practice) -> list[tuple[str, str, int]]:
    rows = [("region", p.region, rid)]
    for kind, values in (("krachtlijn", p.krachtlijnen), ("sector", p.sectors),
                         ("target_group", p.target_groups), ("theme", p.themes)):
        rows.extend((kind, v, rid) for v in values)
    return rows


def _fts_row(p: Practice) -> tuple[str, str, str, str]:
    tags = [
        p.organisation, p.municipality or "", REGIONS.label(p.region),
        *(KRACHTLIJNEN.label(k) for k in p.krachtlijnen),
        *(SECTORS.label(s) for s in p.sectors), *p.target_groups, *p.themes,
    ]
    return (
        " ".join(analyze(p.title)),
        " ".join(analyze(p.summary)),
        " ".join(analyze(p.description or "")),
        " ".join(analyze(" ".join(tags))),
    )


def _to_row(p: Practice) -> dict[str, Any]:
    data = p.model_dump(mode="json")
    for name in LIST_FIELDS:
        data[name] = json.dumps(data[name], ensure_ascii=False)
    data["extra"] = json.dumps(data["extra"], ensure_ascii=False)
    data["content_hash"] = p.content_hash()
    return data


def _from_row(row: dict[str, Any]) -> Practice:
    data = {k: row[k] for k in _COLUMNS}
    for name in LIST_FIELDS:
        data[name] = json.loads(data[name] or "[]")
    data["extra"] = json.loads(data["extra"] or "{}")
    return Practice.model_validate(data, context={"stored": True})  # stored rows skip the input caps


class SqliteStore:
    """PracticeStore on one SQLite file."""

    # BM25 from the in-memory postings (catalogue/lexicon.py) instead of FTS5's bm25(): the
    # same scores, measured faster. False runs every lexical query through FTS5 itself.
    use_lexicon: bool = True

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(
                f"Geen catalogus gevonden in {self.path}. Maak er een met 'praktijkbank init'."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        # Facet masks (catalogue/facet_masks.py): filters and facet counts in memory, rebuilt
        # when another connection committed, as seen by a watcher connection that never writes.
        self._masks: FacetMasks | None = None
        self._words: tuple[int, dict[str, int]] | None = None  # (data_version, word counts)
        self._masks_lock = threading.Lock()
        self._watch: sqlite3.Connection | None = None
        # The BM25 postings of the FTS table (catalogue/lexicon.py), kept the same way.
        self._lexicon: Lexicon | None = None
        self._lexicon_build: threading.Thread | None = None
        # Practices shown on result pages, parsed once per data_version (see get_many).
        self._shown: dict[int, Practice] = {}
        self._shown_at: int | None = None
        self._migrate()

    # -- connections and transactions -------------------------------------------------

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            db = sqlite_utils.Database(conn)
            self._local.db = db
            self._local.depth = 0
        return db

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE); nested calls join the outer one."""
        db = self.db
        if self._local.depth:
            self._local.depth += 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise self._translated(e) from e
        self._local.depth = 1
        try:
            yield
        except sqlite3.OperationalError as e:
            db.execute("ROLLBACK")
            raise self._translated(e) from e
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            try:
                db.execute("COMMIT")
            except sqlite3.OperationalError as e:
                raise self._translated(e) from e
        finally:
            self._local.depth = 0

    def _translated(self, error: sqlite3.OperationalError) -> Exception:
        """A write refused because the database is read-only, as the error users understand."""
        if "readonly" in str(error) or "read-only" in str(error):
            return StoreReadOnly(self.path, error)
        return error

    def read_only_reason(self) -> str | None:
        """Why the catalogue cannot be written (checked without taking the write lock), or None."""
        if self.db.execute("PRAGMA query_only").fetchone()[0]:
            return "de verbinding is alleen-lezen"
        if os.statvfs(self.path).f_flag & os.ST_RDONLY:
            return "de schijf is alleen-lezen gekoppeld"
        if not os.access(self.path, os.W_OK) or not os.access(self.path.parent, os.W_OK):
            return "geen schrijfrechten op het bestand of de map"
        return None

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
            self._reanalyse_if_needed()
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
        self._reanalyse_if_needed()

    def _reanalyse_if_needed(self) -> None:
        """A full-text index made by another analyzer version is rebuilt with this one."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'analyzer'").fetchone()
        if row is None or row[0] != analysis.current().config.version:
            self.rebuild_fts()

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
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise StoreError("Een back-up kan de catalogus zelf niet overschrijven; kies een ander pad.")
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.tmp")
        temp.unlink(missing_ok=True)
        dest = sqlite3.connect(temp)
        try:
            self.db.conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
            count = int(dest.execute("SELECT count(*) FROM practices").fetchone()[0])
        finally:
            dest.close()
        with open(temp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(temp, target)
        return count

    def restore(self, source: Path, *, with_keys: bool = False) -> RestoreResult:
        """Replace the whole catalogue by a backup once all of it has proved sound.

        The backup is checked and prepared in a temporary copy (catalogue/backup_sqlite.py);
        nothing live is touched until then. The current API keys stay unless `with_keys`.
        """
        result = backup_sqlite.restore_into(self, Path(source), schema_version=SCHEMA_VERSION,
                                            with_keys=with_keys)
        self._migrate()
        return dataclasses.replace(result, practices=self.count())

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None
        with self._masks_lock:
            if self._watch is not None:
                self._watch.close()
            self._watch, self._masks, self._lexicon = None, None, None
            self._shown, self._shown_at = {}, None

    def _data_version(self) -> int:
        """The watcher connection's data_version; the caller holds _masks_lock."""
        if self._watch is None:
            self._watch = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                          timeout=30)
        # data_version changes whenever any other connection commits (every thread's
        # connection, other processes, a restore): then the in-memory views are rebuilt.
        return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def _facet_masks(self) -> FacetMasks | None:
        """The current facet masks; None inside a write transaction (it must see its own rows)."""
        if self.db.conn.in_transaction:
            return None
        with self._masks_lock:
            return self._masks_at(self._data_version())

    def _masks_at(self, version: int) -> FacetMasks:
        """The facet masks of this data_version, rebuilt if stale; the caller holds _masks_lock."""
        if self._masks is None or self._masks.version != version:
            self._masks = FacetMasks.load(self._watch, version)  # type: ignore[arg-type]
        return self._masks

    def word_counts(self) -> dict[str, int]:
        """Folded word -> count over the published practices (the speller's vocabulary).

        Built once per data_version; the same dict comes back while nothing changed.
        """
        with self._masks_lock:
            version = self._data_version()
            if self._words is not None and self._words[0] == version:
                return self._words[1]
        rows = self.db.execute(
            "SELECT title, summary, coalesce(description, ''), organisation, coalesce(municipality, ''), "
            "target_groups, themes FROM practices WHERE status = 'published'")
        counts = word_counts(" ".join(row) for row in rows)
        with self._masks_lock:
            self._words = (version, counts)
        return counts

    def _current_lexicon(self) -> Lexicon | None:
        """The BM25 postings of the committed data, or None: then FTS5 answers.

        None inside a write transaction (it must see its own rows) and while the postings are
        being rebuilt after a change: that runs in a background thread (seconds at 100k
        practices), and FTS5 gives the same scores meanwhile, only slower.
        """
        if not self.use_lexicon or self.db.conn.in_transaction:
            return None
        with self._masks_lock:
            version = self._data_version()
            if self._lexicon is not None and self._lexicon.version == version:
                return self._lexicon
            if self._lexicon_build is None or not self._lexicon_build.is_alive():
                self._lexicon_build = threading.Thread(target=self._build_lexicon, args=(version,),
                                                       name="praktijkbank-lexicon", daemon=True)
                self._lexicon_build.start()
            return None

    def _build_lexicon(self, version: int) -> None:
        """Read the FTS table in one snapshot taken after `version` was seen, and publish it."""
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            try:
                conn.execute("BEGIN")
                lexicon = Lexicon.load(conn, version, FTS_WEIGHTS)
                conn.execute("COMMIT")
            finally:
                conn.close()
        except sqlite3.Error:
            _log.warning("BM25-postings niet opgebouwd; de volledige-tekstindex van SQLite antwoordt",
                         exc_info=True)
            return
        with self._masks_lock:
            # A snapshot taken after `version` may hold newer commits, never older ones; it is
            # only used while the watcher still sees `version`.
            if self._lexicon is None or self._lexicon.version != version:
                self._lexicon = lexicon

    def is_warm(self) -> bool:
        """Whether the BM25 postings in memory match the committed data."""
        if not self.use_lexicon:
            return True
        with self._masks_lock:
            return self._lexicon is not None and self._lexicon.version == self._data_version()

    def warm(self) -> None:
        """Build the in-memory views (facet masks, BM25 postings) now, in this thread.

        Safe to run in a thread of its own: the server does so at start, so that its first
        searches do not wait for them.
        """
        with self._masks_lock:
            version = self._data_version()
            self._masks_at(version)
            if not self.use_lexicon or (self._lexicon is not None and self._lexicon.version == version):
                return
        self._build_lexicon(version)

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
        row = _to_row(practice)
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
                       _tag_rows(rid, practice))
        db.execute("INSERT INTO practices_fts(rowid, title, summary, body, tags) VALUES (?,?,?,?,?)",
                   [rid, *_fts_row(practice)])

    def delete(self, practice_id: str) -> int:
        """Delete a practice and its derived rows; returns its rid."""
        with self.transaction():
            rid = self.rid_of(practice_id)
            self.db.execute("DELETE FROM practices_fts WHERE rowid = ?", [rid])
            self.db.execute("DELETE FROM practice_tags WHERE rid = ?", [rid])
            self.db.execute("DELETE FROM practices WHERE rid = ?", [rid])
        return rid

    def rebuild_fts(self) -> int:
        """Rebuild the full-text index from the practices table."""
        with self.transaction():
            self._create_derived_tables()
            self.db.execute("DELETE FROM practices_fts")
            count = 0
            for rid, practice in self._readable_rows():
                self.db.execute(
                    "INSERT INTO practices_fts(rowid, title, summary, body, tags) VALUES (?,?,?,?,?)",
                    [rid, *_fts_row(practice)],
                )
                count += 1
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES ('analyzer', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [analysis.current().config.version]
            )
        return count

    def rebuild_derived(self) -> int:
        """Rebuild the tag and full-text tables from `practices`, creating them when missing.

        Rows the model rejects get neither; `bad_rows` names them for the curator."""
        with self.transaction():
            self._create_derived_tables()
            self.db.execute("DELETE FROM practice_tags")
            for rid, practice in self._readable_rows():
                self.db.conn.executemany("INSERT INTO practice_tags(kind, value, rid) VALUES (?, ?, ?)",
                                         _tag_rows(rid, practice))
            return self.rebuild_fts()

    def _create_derived_tables(self) -> None:
        for statement in _SCHEMA_V1.split(";\n"):
            if "practice_tags" in statement or "practices_fts" in statement:
                self.db.execute(statement)

    def _readable_rows(self) -> Iterator[tuple[int, Practice]]:
        for row in self.db.query(f"SELECT rid, {', '.join(_COLUMNS)} FROM practices"):
            try:
                yield row["rid"], _from_row(row)
            except (ValueError, TypeError):  # json and pydantic errors; bad_rows() reports them
                continue

    def bad_rows(self) -> dict[int, str]:
        """The rows of `practices` that the model rejects, by rid, each named with its id and field."""
        return backup_sqlite.bad_rows(self.db.conn)

    def derived_problems(self) -> list[str]:
        """Derived tables that are missing or out of step with `practices`."""
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in ("practice_tags", "practices_fts") if t not in tables]
        problems = [f"tabel {t} ontbreekt" for t in missing]
        if not missing:
            # A row the model rejects has no tags on purpose; bad_rows() names it.
            untagged = [row for row in self.db.query(
                f"SELECT rid, content_hash, {', '.join(_COLUMNS)} FROM practices WHERE rid NOT IN "
                "(SELECT rid FROM practice_tags WHERE kind = 'region')")
                if backup_sqlite.row_problem(row) is None]
            if untagged:
                problems.append(f"tags: {len(untagged)} praktijken zonder tags")
        return problems

    # -- reads ------------------------------------------------------------------------

    def get(self, practice_id: str) -> Practice:
        rows = list(self.db.query(f"SELECT {', '.join(_COLUMNS)} FROM practices WHERE id = ?",
                                  [practice_id]))
        if not rows:
            raise PracticeNotFound(practice_id)
        return _from_row(rows[0])

    def rid_of(self, practice_id: str) -> int:
        row = self.db.execute("SELECT rid FROM practices WHERE id = ?", [practice_id]).fetchone()
        if row is None:
            raise PracticeNotFound(practice_id)
        return int(row[0])

    def get_many(self, rids: Iterable[int]) -> dict[int, Practice]:
        """Practices by rid (unknown rids are left out).

        A result page's worth (up to SHOWN_CACHE_BATCH) is answered from a cache of parsed
        practices: reading and validating a row costs ~0.07 ms, and a result page asks for ten
        on every search. The cache holds one
        data_version of the committed data and empties when another commit is seen; bulk
        reads (a re-index) bypass it. Callers get copies, never the cached objects.
        """
        wanted = [int(r) for r in rids]
        version = self._shown_version() if len(wanted) <= SHOWN_CACHE_BATCH else None
        found = {r: p for r in wanted if (p := self._shown.get(r)) is not None} if version is not None else {}
        missing = [r for r in wanted if r not in found]
        if missing:
            rows = self.db.query(
                f"SELECT rid, {', '.join(_COLUMNS)} FROM practices "
                "WHERE rid IN (SELECT value FROM json_each(?))", [json.dumps(missing)]
            )
            fresh = {row["rid"]: _from_row(row) for row in rows}
            if version is not None and fresh:
                self._remember_shown(version, fresh)
            found.update(fresh)
        return {r: p.model_copy() for r, p in found.items()} if version is not None else found

    def _shown_version(self) -> int | None:
        """The data_version the shown-practices cache holds (emptied if it moved on), or None
        inside a write transaction, which must read its own rows."""
        if self.db.conn.in_transaction:
            return None
        with self._masks_lock:
            version = self._data_version()
            if self._shown_at != version:
                self._shown, self._shown_at = {}, version
            return version

    def _remember_shown(self, version: int, practices: dict[int, Practice]) -> None:
        with self._masks_lock:
            # Rows read at an older version must not enter a cache that moved on.
            if self._shown_at != version:
                return
            if len(self._shown) + len(practices) > SHOWN_CACHE_SIZE:
                self._shown = {}
            self._shown.update((r, p.model_copy()) for r, p in practices.items())

    def _where(self, filters: Filters) -> tuple[str, list[Any]]:
        clauses, params = [], []
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

    def list(self, filters: Filters, *, limit: int | None = None, offset: int = 0) -> list[Practice]:
        where, params = self._where(filters)
        sql = f"SELECT {', '.join(_COLUMNS)} FROM practices WHERE {where} ORDER BY {_TITLE_ORDER}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_from_row(row) for row in self.db.query(sql, params)]

    def iter_all(self) -> Iterator[Practice]:
        for row in self.db.query(f"SELECT {', '.join(_COLUMNS)} FROM practices ORDER BY rid"):
            yield _from_row(row)

    def count(self, filters: Filters | None = None) -> int:
        where, params = self._where(filters or Filters(status=()))
        return int(self.db.execute(f"SELECT count(*) FROM practices WHERE {where}", params).fetchone()[0])

    def filter_rids(self, filters: Filters, *, by_title: bool = False) -> list[int]:
        if not by_title and FacetMasks.covers(filters) and (masks := self._facet_masks()) is not None:
            return masks.filter(filters)
        where, params = self._where(filters)
        order = _TITLE_ORDER if by_title else "rid"
        return [r[0] for r in self.db.execute(f"SELECT rid FROM practices WHERE {where} ORDER BY {order}", params)]

    def ids_for(self, rids: Iterable[int]) -> dict[int, str]:
        wanted = json.dumps([int(r) for r in rids])
        rows = self.db.execute(
            "SELECT rid, id FROM practices WHERE rid IN (SELECT value FROM json_each(?))", [wanted]
        )
        return {rid: pid for rid, pid in rows}

    def fts_search(self, terms: list[str], filters: Filters, *, limit: int,
                   rids: Sequence[int] | None = None) -> list[tuple[int, float]]:
        """BM25 over the stemmed FTS table; terms are already analysed and are quoted here.

        `rids`, when given, are the candidates the caller already resolved from `filters`; they
        replace a second run of the tag filter inside this query.
        """
        found, scores = self.fts_scores(terms, filters, limit=limit, rids=rids)
        return list(zip(found.tolist(), scores.tolist(), strict=False))

    def term_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(rows in the full-text table, rows holding each term): the terms' idf statistics."""
        lexicon = self._current_lexicon()
        if lexicon is not None and lexicon.answers(terms):
            return len(lexicon.rids), lexicon.doc_freqs(terms)
        n_rows = int(self.db.execute("SELECT count(*) FROM practices_fts").fetchone()[0])
        found = {t: int(self.db.execute("SELECT count(*) FROM practices_fts WHERE practices_fts MATCH ?",
                                        ['"' + t.replace('"', '""') + '"']).fetchone()[0]) for t in terms}
        return n_rows, found

    def fts_scores(self, terms: list[str], filters: Filters, *, limit: int,
                   rids: Sequence[int] | None = None,
                   weights: Mapping[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """`fts_search` as arrays (rids, scores), for the search service.

        `weights` scale terms in the in-memory postings; while those are rebuilt after a write,
        FTS5 answers with every term at weight 1.
        """
        if not terms:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        lexicon = self._current_lexicon()
        if lexicon is not None and lexicon.answers(terms):
            if rids is None and not filters.is_empty:
                rids = self.filter_rids(filters)
            return lexicon.search(terms, lexicon.allowed(rids=rids, statuses=filters.status), limit, weights)
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(terms))
        scope, params = self._fts_scope(filters, rids)
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        sql = (
            f"SELECT rowid, -bm25(practices_fts, {weights}) AS score FROM practices_fts "
            f"WHERE practices_fts MATCH ? {scope} ORDER BY score DESC LIMIT ?"
        )
        rows = self.db.execute(sql, [match, *params, limit]).fetchall()
        return (np.array([r for r, _ in rows], dtype=np.int64),
                np.array([s for _, s in rows], dtype=np.float64))

    def _fts_scope(self, filters: Filters, rids: Sequence[int] | None) -> tuple[str, list[Any]]:
        """The clause that keeps BM25 to the matching practices (measured in benchmarks/speed.py).

        The unary + keeps the rowid test out of FTS5's index planning. Without it SQLite hands
        FTS5 one `rowid = ?` lookup per candidate, and FTS5 recomputes bm25's document
        frequencies for every lookup: (candidates x postings). Measured at 100k practices:
        24-170 s for one unfiltered query, 0.3-1.3 s with a 1% filter. With it, FTS5 runs one
        MATCH scan and SQLite tests each hit (0.05-0.1 s unfiltered, see BENCHMARKS.md).
        """
        if rids is None and filters.is_empty:
            if not filters.status:
                return "", []
            # Exclude the few practices in other states rather than list every published one:
            # building that list cost 40-60 ms per query at 100k practices.
            marks = ", ".join("?" * len(filters.status))
            return (f"AND +rowid NOT IN (SELECT rid FROM practices WHERE status NOT IN ({marks}))",
                    list(filters.status))
        if rids is None:
            rids = self.filter_rids(filters)
        return "AND +rowid IN (SELECT value FROM json_each(?))", [json.dumps([int(r) for r in rids])]

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

    def texts_for(self, rids: Iterable[int]) -> dict[int, str]:
        return {rid: p.search_text() for rid, p in self.get_many(rids).items()}

    def fts_rowids(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT rowid FROM practices_fts ORDER BY rowid")]


class _DryRun(Exception):
    """Raised inside a transaction to roll a dry run back; carries the would-be result."""

    def __init__(self, result: UpsertResult) -> None:
        super().__init__("dry run")
        self.result = result
