"""Connections to PostgreSQL: one connection, a pool, the pgvector adapters, URLs safe to print.

Every connection made here has the pgvector types registered (numpy arrays in and out of
`vector` and `halfvec` columns) once the `vector` extension exists in its database; `migrate`
(catalogue/postgres/schema.py) creates the extension and registers them on its connection.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from catalogue.postgres.errors import DatabaseUnreachable, PostgresMissing

CONNECT_TIMEOUT_S = 5
POOL_TIMEOUT_S = 10


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as e:
        raise PostgresMissing("psycopg") from e
    return psycopg


def redact(url: str) -> str:
    """The URL with its password replaced by '***', fit for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}"))


def _reason(error: Exception) -> str:
    """The first line of a libpq error: the rest repeats connection details."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def connect(url: str, *, autocommit: bool = False, row_factory: Any = None,
            timeout: float = CONNECT_TIMEOUT_S) -> Any:
    """A psycopg connection to `url`, with the pgvector types registered when the extension exists.

    Raises DatabaseUnreachable (a Dutch message) when no server answers. `row_factory` is one of
    psycopg.rows' factories (tuple_row by default; dict_row for named columns).
    """
    psycopg = _psycopg()
    options: dict[str, Any] = {"autocommit": autocommit, "connect_timeout": max(1, int(timeout))}
    if row_factory is not None:
        options["row_factory"] = row_factory
    try:
        conn = psycopg.connect(url, **options)
    except psycopg.OperationalError as e:
        raise DatabaseUnreachable(redact(url), _reason(e)) from e
    register_types(conn)
    return conn


def _configure(conn: Any) -> None:
    """The pool's hook for each new connection."""
    register_types(conn)


def register_types(conn: Any) -> bool:
    """Register pgvector's adapters on `conn` if its database has the extension; whether it has.

    Leaves the connection idle (a pool hands it out in that state).
    """
    from pgvector.psycopg import register_vector

    has_vector = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone() is not None
    if has_vector:
        register_vector(conn)
    if not conn.autocommit:
        conn.rollback()  # the catalogue lookups opened a transaction
    return has_vector


def make_pool(url: str, *, min_size: int = 1, max_size: int = 8, row_factory: Any = None,
              timeout: float = POOL_TIMEOUT_S, name: str = "praktijkbank") -> Any:
    """An open psycopg_pool.ConnectionPool over `url`; each connection has the pgvector adapters.

    Waits until `min_size` connections are made, so an unreachable server is reported here
    (DatabaseUnreachable) rather than on the first request. Close it with `pool.close()`.
    """
    psycopg = _psycopg()
    try:
        from psycopg_pool import ConnectionPool, PoolTimeout
    except ImportError as e:
        raise PostgresMissing("psycopg_pool") from e
    kwargs: dict[str, Any] = {"connect_timeout": max(1, int(timeout))}
    if row_factory is not None:
        kwargs["row_factory"] = row_factory
    pool = ConnectionPool(url, min_size=min_size, max_size=max_size, kwargs=kwargs, timeout=timeout,
                          configure=_configure, check=ConnectionPool.check_connection,
                          name=name, open=False)
    try:
        pool.open(wait=True, timeout=timeout)
    except PoolTimeout as e:
        pool.close()
        try:  # one direct attempt gives libpq's reason instead of the pool's timeout
            psycopg.connect(url, connect_timeout=max(1, int(timeout))).close()
        except psycopg.OperationalError as direct:
            raise DatabaseUnreachable(redact(url), _reason(direct)) from e
        raise DatabaseUnreachable(redact(url), f"geen verbinding binnen {timeout:g} s") from e
    return pool
