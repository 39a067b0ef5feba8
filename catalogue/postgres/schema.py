"""The PostgreSQL schema: numbered migrations, the catalogue version, the vector model, meta.

Migrations are the files `migrations/NNNN_name.sql`, applied in order, each once; the version
reached is meta.schema_version, as in the SQLite store. `migrate` is safe to run from several
servers at once (an advisory lock serialises them) and does nothing on a current database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from catalogue.postgres.connection import register_types
from catalogue.postgres.errors import SchemaTooNew, VectorDimensionMismatch, VectorExtensionMissing

NOTIFY_CHANNEL = "praktijkbank"
MIN_PGVECTOR = (0, 8, 0)  # iterative index scans for filtered HNSW search
# pg_advisory_xact_lock key of migrations: 'pbmigrat' in ASCII.
_MIGRATION_LOCK = int.from_bytes(b"pbmigrat", "big") - (1 << 63)
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str


@cache
def migrations() -> tuple[Migration, ...]:
    """The shipped migrations in order; their numbers must run 1, 2, 3 ... without gaps."""
    found = []
    for entry in resources.files("catalogue.postgres").joinpath("migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    numbers = [m.version for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"PostgreSQL migrations are not numbered 1..n: {numbers}")
    return tuple(found)


def schema_version() -> int:
    """The schema version this code brings a database to."""
    return migrations()[-1].version


def current_version(conn: Any) -> int:
    """The database's schema version; 0 for a database praktijkbank never migrated."""
    if conn.execute("SELECT to_regclass('meta')").fetchone()[0] is None:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: Any) -> int:
    """Bring the database behind `conn` to this code's schema version; returns that version.

    Raises SchemaTooNew for a database from a newer praktijkbank and VectorExtensionMissing
    when pgvector is absent, too old, or may not be created by this user. Commits its work;
    call it on an idle connection.
    """
    known = schema_version()
    found = current_version(conn)
    if found > known:
        raise SchemaTooNew(found, known)
    if found < known:
        _migrate_locked(conn, known)
    else:
        with conn.transaction():
            _ensure_vector(conn)
    if not conn.autocommit:
        conn.commit()
    register_types(conn)
    return known


def _migrate_locked(conn: Any, known: int) -> None:
    """Apply the missing migrations in one transaction, holding the migration lock.

    The lock is a session lock taken before that transaction begins: a transaction that began
    before another server's migration committed may still resolve table names from its caches.
    """
    _commit(conn)
    conn.execute("SELECT pg_advisory_lock(%s)", [_MIGRATION_LOCK])
    try:
        _commit(conn)
        with conn.transaction():
            found = current_version(conn)  # another server may have migrated meanwhile
            if found > known:
                raise SchemaTooNew(found, known)
            _ensure_vector(conn)
            for migration in migrations()[found:]:
                conn.execute(migration.sql)
                set_meta(conn, "schema_version", str(migration.version))
    finally:
        _commit(conn)  # a failed migration was rolled back already; this ends the idle state
        conn.execute("SELECT pg_advisory_unlock(%s)", [_MIGRATION_LOCK])
        _commit(conn)


def _commit(conn: Any) -> None:
    if not conn.autocommit:
        conn.commit()


def _ensure_vector(conn: Any) -> None:
    """Create the `vector` extension if needed (in a savepoint) and check its version."""
    from psycopg import errors

    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except (errors.FeatureNotSupported, errors.UndefinedFile, errors.InsufficientPrivilege) as e:
        raise VectorExtensionMissing(e.diag.message_primary or e) from e
    version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()[0]
    if _version_tuple(version) < MIN_PGVECTOR:
        raise VectorExtensionMissing(f"versie {version} gevonden; praktijkbank heeft 0.8 of nieuwer nodig")


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


# -- meta -------------------------------------------------------------------------------------


def get_meta(conn: Any, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = %s", [key]).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: Any, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (%s, %s) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])


# -- the catalogue version ----------------------------------------------------------------------


def catalogue_version(conn: Any) -> int:
    """The committed catalogue version (readers compare it with the version their views hold)."""
    return int(conn.execute("SELECT version FROM catalogue_version").fetchone()[0])


def bump_catalogue_version(conn: Any) -> int:
    """Bump the version in the current transaction (once per transaction) and return it.

    Writes to the catalogue tables bump it by themselves (statement triggers); this is for
    writes elsewhere that readers must still notice.
    """
    return int(conn.execute("SELECT bump_catalogue_version()").fetchone()[0])


# -- the vector model ---------------------------------------------------------------------------


def vector_model(conn: Any) -> tuple[str, int] | None:
    """(embedder name, dimension) of the stored vectors, or None before the first index build."""
    model, dim = get_meta(conn, "vector_model"), get_meta(conn, "vector_dim")
    return None if model is None or dim is None else (model, int(dim))


def set_vector_model(conn: Any, *, model: str, dim: int, reset: bool = False) -> None:
    """Type the vector columns for `dim` dimensions and record the model, in the caller's transaction.

    A database holding vectors of another model or dimension raises VectorDimensionMismatch,
    unless `reset`: then the stored vectors and passages are deleted (to be embedded again).
    """
    if not 0 < dim <= 16000:  # pgvector's limit for vector columns
        raise VectorDimensionMismatch(f"Een vector moet 1 tot 16000 dimensies hebben, niet {dim}.")
    stored = vector_model(conn)
    if stored == (model, dim):
        return
    if stored is not None and not reset:
        has_rows = conn.execute("SELECT EXISTS (SELECT 1 FROM vectors)").fetchone()[0]
        if has_rows:
            raise VectorDimensionMismatch(
                f"De opgeslagen vectoren zijn gemaakt met {stored[0]} ({stored[1]} dimensies), niet met "
                f"{model} ({dim} dimensies). Bouw de zoekindex opnieuw op met 'praktijkbank reindex'.")
    conn.execute("TRUNCATE vectors, passages")
    for table, kind in (("vectors", "vector"), ("passages", "halfvec")):
        conn.execute(f"ALTER TABLE {table} ALTER COLUMN embedding TYPE {kind}({int(dim)})")
        # in the row, not out of line (migrations/0002_vectors_inline.sql); the type change reset it
        conn.execute(f"ALTER TABLE {table} ALTER COLUMN embedding SET STORAGE MAIN")
    set_meta(conn, "vector_model", model)
    set_meta(conn, "vector_dim", str(int(dim)))


# -- rate limits --------------------------------------------------------------------------------


def count_request(conn: Any, bucket: str, *, window_s: int) -> int:
    """Count one request of `bucket` in the current fixed window of `window_s` seconds.

    Returns the count in this window including this request, the same on every server.
    Windows that ended are removed as a side effect (for this bucket).
    """
    row = conn.execute(
        "WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM clock_timestamp()) / %(w)s) * %(w)s) AS start), "
        "gone AS (DELETE FROM rate_limits WHERE bucket = %(b)s AND window_start < (SELECT start FROM w)) "
        "INSERT INTO rate_limits (bucket, window_start, count) SELECT %(b)s, start, 1 FROM w "
        "ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + 1 "
        "RETURNING count", {"b": bucket, "w": int(window_s)}).fetchone()
    return int(row[0])
