"""Connections of one PostgreSQL store: a pooled connection per read, one held per write transaction.

A write transaction keeps its connection for the thread that opened it; nested `transaction()`
calls and every read of that thread inside it use the same connection, so they see its rows
(as the SQLite store's per-thread connection does). Outside a transaction each read borrows a
pool connection for one short transaction of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from catalogue.errors import StoreReadOnly


class Sessions:
    """The store's pool, with per-thread write transactions."""

    def __init__(self, pool: Any, *, label: str, committed: Callable[[int], None]) -> None:
        self.pool = pool
        self.label = label
        self._committed = committed  # told the catalogue version each write transaction committed
        self._local = threading.local()

    def current(self) -> Any:
        """The connection of this thread's open write transaction, or None."""
        return getattr(self._local, "conn", None)

    def in_transaction(self) -> bool:
        return getattr(self._local, "conn", None) is not None

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """This thread's transaction connection, or a pooled one for one read transaction."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with self.pool.connection() as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A pooled connection in one REPEATABLE READ, read-only transaction: a consistent view."""
        with self.pool.connection() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield conn
            finally:
                conn.rollback()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One write transaction; nested calls join the outer one (of this thread)."""
        from psycopg import errors

        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        try:
            with self.pool.connection() as conn:
                self._local.conn = conn
                try:
                    with conn.transaction():
                        yield conn
                        # the version this commit makes (the triggers bumped it at most once)
                        version = int(conn.execute("SELECT version FROM catalogue_version").fetchone()[0])
                finally:
                    self._local.conn = None
        except errors.ReadOnlySqlTransaction as e:
            raise StoreReadOnly(self.label, e.diag.message_primary or e) from e
        except errors.InsufficientPrivilege as e:
            raise StoreReadOnly(self.label, e.diag.message_primary or e) from e
        self._committed(version)

    def execute(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Run one statement and return its rows (none for statements without a result)."""
        with self.connection() as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description is not None else []

    def one(self, sql: str, params: Any = None) -> tuple[Any, ...] | None:
        with self.connection() as conn:
            row = conn.execute(sql, params).fetchone()
            return tuple(row) if row is not None else None
