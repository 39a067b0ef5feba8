"""Backups of a PostgreSQL catalogue as SQLite files, checked restores, and the row checks.

A backup is the file 'praktijkbank backup' makes on SQLite (catalogue/backup_sqlite.py), so it
moves between backends: the practices with their rids and content hashes, the API keys, the
derived tables rebuilt by the SQLite store, and the rid sequence, read in one consistent
snapshot. A restore validates the whole file first (backup_sqlite.open_backup: integrity,
schema, every row through the model), migrates a staged copy to the current SQLite schema, and
only then swaps the catalogue in one transaction. Vectors of practices whose rid and content
hash survive stay valid; the others lag their content and `check --repair` embeds them again.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalogue import backup_sqlite
from catalogue.errors import StoreError
from catalogue.postgres import rows as pgrows
from catalogue.sqlite_schema import COLUMNS
from catalogue.sqlite_schema import SCHEMA_VERSION as SQLITE_SCHEMA_VERSION
from catalogue.store import RestoreResult

if TYPE_CHECKING:
    from catalogue.postgres.store import PostgresStore

_ALL = ("rid", *COLUMNS, "content_hash")
_SELECT_ALL = f"SELECT rid, {pgrows.SELECT_COLUMNS}, content_hash FROM practices ORDER BY rid"
_KEYS = "SELECT key_id, name, key_hash, created, revoked FROM api_keys ORDER BY created, key_id"
# The rid sequence: a rid is never handed out twice, also across a backup and restore.
_SEQUENCE = "pg_get_serial_sequence('practices', 'rid')"


def _iso(value: Any) -> str | None:
    """A timestamptz as SqliteKeyStore writes it (UTC, seconds)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if isinstance(value, dt.datetime) else str(value)


# -- checks ---------------------------------------------------------------------------------------


def _row_dicts(store: PostgresStore, sql: str = _SELECT_ALL) -> list[dict[str, Any]]:
    return [dict(zip(_ALL, row, strict=True)) for row in store.sessions.execute(sql)]


def bad_rows(store: PostgresStore) -> dict[int, str]:
    """Every row of `practices` that the model rejects, by rid, described in Dutch."""
    return {row["rid"]: p for row in _row_dicts(store) if (p := backup_sqlite.row_problem(row)) is not None}


def derived_problems(store: PostgresStore) -> list[str]:
    """Derived rows (tags, postings) that are out of step with `practices`.

    Rows the model rejects have neither on purpose; bad_rows() names them."""
    from catalogue import analysis
    from catalogue.postgres.schema import get_meta

    problems = []
    base = _SELECT_ALL.replace(" ORDER BY rid", "")
    untagged = [row for row in _row_dicts(
        store, f"{base} WHERE rid NOT IN (SELECT rid FROM practice_tags WHERE kind = 'region') ORDER BY rid")
        if backup_sqlite.row_problem(row) is None]
    if untagged:
        problems.append(f"tags: {len(untagged)} praktijken zonder tags")
    unindexed = [row for row in _row_dicts(store, f"{base} WHERE rid NOT IN (SELECT rid FROM doclen) ORDER BY rid")
                 if backup_sqlite.row_problem(row) is None]
    if unindexed:
        problems.append(f"termen: {len(unindexed)} praktijken zonder termen")
    with store.sessions.connection() as conn:
        analyzer = get_meta(conn, "analyzer")
    if analyzer != analysis.current().config.version:
        problems.append(f"termen: gemaakt met analyzer {analyzer or 'onbekend'}, niet met "
                        f"{analysis.current().config.version}")
    return problems


# -- backup ---------------------------------------------------------------------------------------


def snapshot(store: PostgresStore, target: Path) -> int:
    """Write the catalogue to `target` as a SQLite backup; returns the number of practices.

    Written to a temporary file beside `target` and renamed, so `target` is never half-written.
    """
    from catalogue.store_sqlite import SqliteStore

    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    backup_sqlite.remove_db(temp)
    with store.sessions.snapshot() as conn:
        rows = [tuple(r) for r in conn.execute(_SELECT_ALL).fetchall()]
        keys = [(k, n, h, _iso(c), _iso(r)) for k, n, h, c, r in conn.execute(_KEYS).fetchall()]
        last = conn.execute(f"SELECT pg_sequence_last_value({_SEQUENCE}::regclass)").fetchone()[0]
    try:
        staged = SqliteStore(temp)
        try:
            with staged.transaction():
                db = staged.db.conn
                marks = ", ".join("?" * len(_ALL))
                db.executemany(f"INSERT INTO practices ({', '.join(_ALL)}) VALUES ({marks})", rows)
                seq = max([int(last or 0), *(int(r[0]) for r in rows)])
                if db.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'practices'",
                              [seq]).rowcount == 0:
                    db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('practices', ?)", [seq])
                backup_sqlite.replace_keys(db, keys)
            staged.rebuild_derived()  # tags and FTS, as the SQLite store makes them
        finally:
            staged.close()
        conn2 = sqlite3.connect(temp)
        try:
            conn2.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
            count = int(conn2.execute("SELECT count(*) FROM practices").fetchone()[0])
        finally:
            conn2.close()
        with open(temp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(temp, target)
    finally:
        backup_sqlite.remove_db(temp)
    return count


# -- restore --------------------------------------------------------------------------------------


def _read_backup(source: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    """(practice rows, key rows, last rid handed out) of a sound backup, or StoreError."""
    from catalogue.store_sqlite import SqliteStore

    src = backup_sqlite.open_backup(source, schema_version=SQLITE_SCHEMA_VERSION)
    with tempfile.TemporaryDirectory(prefix="praktijkbank-restore-") as folder:
        staged_path = Path(folder) / "staged.db"
        try:
            backup_sqlite.copy_to(src, staged_path)
        finally:
            src.close()
        staged = SqliteStore(staged_path)  # migrated to this version's SQLite schema
        staged.close()
        conn = sqlite3.connect(staged_path)
        try:
            rows = conn.execute(f"SELECT {', '.join(_ALL)} FROM practices ORDER BY rid").fetchall()
            keys = backup_sqlite.key_rows(conn)
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'practices'").fetchone()
        finally:
            conn.close()
    return rows, keys, int(seq[0]) if seq else 0


def restore(store: PostgresStore, source: Path, *, with_keys: bool) -> RestoreResult:
    """Replace the catalogue by the backup at `source` in one transaction, or raise StoreError
    and touch nothing."""
    if not source.is_file():
        raise StoreError(f"{source}: back-upbestand niet gevonden")
    rows, keys, last = _read_backup(source)
    rids = [int(r[0]) for r in rows]
    columns = ", ".join(_ALL)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _ALL if c != "rid")
    upsert = (f"INSERT INTO practices ({columns}) OVERRIDING SYSTEM VALUE VALUES "
              f"({', '.join(['%s'] * len(_ALL))}) ON CONFLICT (rid) DO UPDATE SET {updates}")
    with store.sessions.transaction() as conn:
        current = int(conn.execute("SELECT count(*) FROM api_keys").fetchone()[0])
        conn.execute("DELETE FROM practices WHERE NOT (rid = ANY(%s))", [rids])
        # ids move between rids in a backup: free them all before the rows come back
        conn.execute("UPDATE practices SET id = '~restore~' || rid::text")
        with conn.cursor() as cur:
            cur.executemany(upsert, rows)
        conn.execute(f"SELECT setval({_SEQUENCE}, greatest(%s, (SELECT coalesce(max(rid), 0) FROM practices), "
                     f"coalesce(pg_sequence_last_value({_SEQUENCE}::regclass), 0), 1))", [last])
        if with_keys:
            conn.execute("DELETE FROM api_keys")
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO api_keys (key_id, name, key_hash, created, revoked) "
                                "VALUES (%s, %s, %s, %s, %s)", keys)
        store.rebuild_derived()  # joins this transaction: tags and postings from the rows
    return RestoreResult(practices=store.count(), keys_kept=0 if with_keys else current,
                         keys_in_backup=len(keys), with_keys=with_keys)
