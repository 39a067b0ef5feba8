"""Per-thread SQLite connections and write transactions of one catalogue file."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from catalogue.errors import StoreReadOnly


class Connections:
    """One connection per thread (WAL lets readers run beside the one writer)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

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

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None
