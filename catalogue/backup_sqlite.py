"""Checked restores of SQLite backups, and the row checks that `check` shares with them.

A restore never touches the live catalogue until the whole backup has proved sound: it is copied
to a temporary file beside the catalogue, its schema and every row of `practices` are checked
through the Practice model, the derived tables (tags, FTS) are rebuilt there from `practices`,
the current API keys are put in (unless the curator asks for the backup's), and only then is the
copy written over the live file in one backup step.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from catalogue.errors import StoreError
from catalogue.model import LIST_FIELDS, Practice, validation_issues
from catalogue.store import RestoreResult

# The columns a backup's `practices` table must have (rid and content_hash included).
REQUIRED_COLUMNS = (
    "rid", "id", "title", "summary", "description", "organisation", "region", "municipality",
    "sectors", "krachtlijnen", "target_groups", "themes", "website", "source_url", "contact",
    "status", "created", "updated", "last_reviewed", "extra", "content_hash",
)
JSON_COLUMNS = (*LIST_FIELDS, "extra")
# How many bad rows an error message names before it says "and N more".
SHOWN_PROBLEMS = 5


def row_problem(row: dict[str, Any]) -> str | None:
    """Why a stored row does not read as a Practice (naming its id and field), or None."""
    data = {k: row[k] for k in REQUIRED_COLUMNS if k not in ("rid", "content_hash")}
    where = f"praktijk '{row.get('id')}' (rij {row.get('rid')})"
    for name in JSON_COLUMNS:
        try:
            data[name] = json.loads(data[name] or ("{}" if name == "extra" else "[]"))
        except (TypeError, json.JSONDecodeError):
            return f"{where}: {name}: geen geldige JSON"
    if not isinstance(data["extra"], dict):
        return f"{where}: extra: moet een object zijn"
    try:
        Practice.model_validate(data, context={"stored": True})
    except ValidationError as e:
        return f"{where}: " + "; ".join(str(i) for i in validation_issues(e))
    return None


def bad_rows(conn: sqlite3.Connection) -> dict[int, str]:
    """Every row of `practices` that the model rejects, by rid, described in Dutch."""
    return {row["rid"]: p for row in _rows(conn) if (p := row_problem(row)) is not None}


def missing_columns(conn: sqlite3.Connection) -> list[str]:
    have = {r[1] for r in conn.execute("PRAGMA table_info(practices)")}
    return [c for c in REQUIRED_COLUMNS if c not in have]


def summarise(problems: list[str]) -> str:
    shown = "; ".join(problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    return shown + (f"; en nog {more}" if more > 0 else "")


def _rows(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    cursor = conn.execute(f"SELECT {', '.join(REQUIRED_COLUMNS)} FROM practices ORDER BY rid")
    for values in cursor:
        yield dict(zip(REQUIRED_COLUMNS, values, strict=False))


def open_backup(source: Path, *, schema_version: int) -> sqlite3.Connection:
    """A read-only connection to a backup whose file, schema and rows are sound, or StoreError."""
    if not source.is_file():
        raise StoreError(f"{source}: back-upbestand niet gevonden")
    try:
        conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() \
            if "meta" in tables else None
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{source}: geen leesbare SQLite-back-up ({e}); er is niets hersteld") from e
    try:
        problem = _problem(conn, check, tables, row, schema_version)
    except sqlite3.DatabaseError as e:
        problem = f"onleesbaar ({e})"
    if problem:
        conn.close()
        raise StoreError(f"{source}: {problem}; er is niets hersteld")
    return conn


def _problem(conn: sqlite3.Connection, check: str, tables: set[str], version: tuple[str] | None,
             schema_version: int) -> str | None:
    if check != "ok":
        return f"beschadigd ({check})"
    if "practices" not in tables or version is None:
        return "geen back-up van een praktijkbank-catalogus"
    if int(version[0]) > schema_version:
        return f"schemaversie {version[0]} is nieuwer dan deze praktijkbank ({schema_version})"
    if missing := missing_columns(conn):
        return f"de tabel practices mist kolommen: {', '.join(missing)}"
    if bad := bad_rows(conn):
        return f"{len(bad)} ongeldige praktijk(en): {summarise(list(bad.values()))}"
    return None


def copy_to(source: sqlite3.Connection, target: Path) -> None:
    """Write `source` to a fresh file `target` (no WAL beside it)."""
    remove_db(target)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def replace_keys(target: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    """Put `rows` (key_id, name, key_hash, created, revoked) in place of the target's keys."""
    target.execute("DELETE FROM api_keys")
    target.executemany("INSERT INTO api_keys(key_id, name, key_hash, created, revoked) VALUES (?,?,?,?,?)",
                       rows)


def key_rows(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "api_keys" not in tables:
        return []
    return list(conn.execute("SELECT key_id, name, key_hash, created, revoked FROM api_keys"))


def staging_path(live: Path) -> Path:
    return live.with_name(f".restore-{os.getpid()}-{live.name}")


def restore_into(live: Any, source: Path, *, schema_version: int, with_keys: bool) -> RestoreResult:
    """Replace `live` (a SqliteStore) by the backup at `source`, or raise StoreError and touch nothing."""
    src = open_backup(Path(source), schema_version=schema_version)
    staged_path = staging_path(live.path)
    try:
        try:
            copy_to(src, staged_path)
            in_backup = len(key_rows(src))
        finally:
            src.close()
        current = key_rows(live.db.conn)
        staged = type(live)(staged_path)  # migrated to this version's schema
        try:
            staged.rebuild_derived()  # tags and FTS from practices, whatever the backup held
            if not with_keys:  # keys are security state: revoked stays revoked, newer ones stay
                with staged.transaction():
                    replace_keys(staged.db.conn, current)
        finally:
            staged.close()
        copy_over(staged_path, live.db.conn)
    finally:
        remove_db(staged_path)
    return RestoreResult(practices=0, keys_kept=0 if with_keys else len(current),
                         keys_in_backup=in_backup, with_keys=with_keys)


def copy_over(source: Path, live: sqlite3.Connection) -> None:
    """Write the catalogue file at `source` over the live one in one backup step: readers see
    the old catalogue or the new one, never a mix."""
    conn = sqlite3.connect(source)
    try:
        conn.backup(live)
    finally:
        conn.close()


def snapshot(conn: sqlite3.Connection, live: Path, target: Path) -> int:
    """Copy the catalogue to `target` with SQLite's online backup API; safe while serving.

    The copy is one consistent snapshot (a single backup step under one read transaction),
    written to a temporary file and renamed, so `target` is never half-written. Returns the
    number of practices in the copy.
    """
    target = Path(target)
    if target.resolve() == live.resolve():
        raise StoreError("Een back-up kan de catalogus zelf niet overschrijven; kies een ander pad.")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    temp.unlink(missing_ok=True)
    dest = sqlite3.connect(temp)
    try:
        conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        count = int(dest.execute("SELECT count(*) FROM practices").fetchone()[0])
    finally:
        dest.close()
    with open(temp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(temp, target)
    return count


def _query(conn: sqlite3.Connection, sql: str) -> Iterator[dict[str, Any]]:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def derived_problems(conn: sqlite3.Connection) -> list[str]:
    """Derived tables that are missing or out of step with `practices`."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in ("practice_tags", "practices_fts") if t not in tables]
    problems = [f"tabel {t} ontbreekt" for t in missing]
    if not missing:
        # A row the model rejects has no tags on purpose; bad_rows() names it.
        untagged = [row for row in _query(conn,
            f"SELECT {', '.join(REQUIRED_COLUMNS)} FROM practices WHERE rid NOT IN "
            "(SELECT rid FROM practice_tags WHERE kind = 'region')")
            if row_problem(row) is None]
        if untagged:
            problems.append(f"tags: {len(untagged)} praktijken zonder tags")
    return problems
