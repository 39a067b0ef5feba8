"""Practice rows in PostgreSQL for the pgvector tests, written with plain SQL.

The PostgresStore is built separately; these tests need only rows to hang vectors on, and for the
maintenance a store with a write transaction per thread. `SqlRowStore` is that: the few
PracticeStore methods the index maintenance calls, over the real `practices` table (no tags, no
full text), so the maintenance runs against the real schema, triggers and locks.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from psycopg.types.json import Jsonb

from catalogue.model import Practice
from catalogue.sqlite_schema import COLUMNS, LIST_FIELDS
from catalogue.store import Filters, IndexEntry, UpsertResult


def insert_rows(conn: Any, rids: Iterable[int], *, status: str = "published", prefix: str = "p") -> None:
    """Bare practice rows with these rids, content hash 'h<rid>' (the contract's hashes)."""
    conn.cursor().executemany(
        "INSERT INTO practices (rid, id, title, summary, organisation, region, sectors, krachtlijnen, "
        "status, content_hash) VALUES (%s, %s, %s, 'samenvatting', 'organisatie', 'gent', '[]', '[]', %s, %s)",
        [(int(rid), f"{prefix}{rid}", f"Praktijk {rid}", status, f"h{rid}") for rid in rids])


def row_values(practice: Practice) -> dict[str, Any]:
    """The practices columns of a practice (lists and extra as jsonb), with its content hash."""
    data = practice.model_dump(mode="json")
    values = {c: data[c] for c in COLUMNS}
    for name in (*LIST_FIELDS, "extra"):
        values[name] = Jsonb(values[name])
    values["content_hash"] = practice.content_hash()
    return values


class SqlRowStore:
    """The PracticeStore methods PgIndexMaintenance uses, in plain SQL over a pool."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self.pool.connection() as conn, conn.transaction():
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def write_connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            raise RuntimeError("no write transaction on this thread")
        return conn

    def upsert_many(self, practices: Iterable[Practice], *, dry_run: bool = False) -> UpsertResult:
        result = UpsertResult()
        with self.pool.connection() as reader:
            stored = dict(reader.execute("SELECT id, content_hash FROM practices").fetchall())
        todo = []
        for p in practices:
            if stored.get(p.id) == p.content_hash():
                result.unchanged.append(p.id)
            else:
                (result.updated if p.id in stored else result.added).append(p.id)
                todo.append(p.model_copy(update={"created": p.created or dt.date.today()}))
        if dry_run or not todo:
            return result
        with self.transaction():
            conn = self.write_connection()
            for p in todo:
                values = row_values(p)
                names = ", ".join(values)
                updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "id")
                conn.execute(f"INSERT INTO practices ({names}) VALUES ({', '.join(['%s'] * len(values))}) "
                             f"ON CONFLICT (id) DO UPDATE SET {updates}", list(values.values()))
        return result

    def delete(self, practice_id: str) -> int:
        with self.transaction():
            return int(self.write_connection().execute(
                "DELETE FROM practices WHERE id = %s RETURNING rid", [practice_id]).fetchone()[0])

    def get_many(self, rids: Iterable[int]) -> dict[int, Practice]:
        names = ", ".join(COLUMNS)
        with self.pool.connection() as conn:
            rows = conn.execute(f"SELECT rid, {names} FROM practices WHERE rid = ANY(%s::bigint[])",
                                [[int(r) for r in rids]]).fetchall()
        return {int(row[0]): Practice.model_validate(dict(zip(COLUMNS, row[1:], strict=True)),
                                                     context={"stored": True}) for row in rows}

    def rid_of(self, practice_id: str) -> int:
        with self.pool.connection() as conn:
            return int(conn.execute("SELECT rid FROM practices WHERE id = %s", [practice_id]).fetchone()[0])

    def index_entries(self) -> list[IndexEntry]:
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT rid, content_hash FROM practices WHERE status = 'published' "
                                "ORDER BY rid").fetchall()
        return [IndexEntry(int(rid), h) for rid, h in rows]

    def count(self, filters: Filters | None = None) -> int:
        with self.pool.connection() as conn:
            return int(conn.execute("SELECT count(*) FROM practices").fetchone()[0])

    def filter_rids(self, filters: Filters, *, by_title: bool = False) -> list[int]:
        statuses = list(filters.status)
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT rid FROM practices WHERE cardinality(%s::text[]) = 0 "
                                "OR status = ANY(%s::text[]) ORDER BY rid", [statuses, statuses]).fetchall()
        return [int(r) for (r,) in rows]

    # The row store has no derived tables of its own: every row counts as in its (absent) full text.
    def fts_rowids(self) -> list[int]:
        return self.filter_rids(Filters(status=()))

    def bad_rows(self) -> dict[int, str]:
        return {}

    def derived_problems(self) -> list[str]:
        return []

    def read_only_reason(self) -> str | None:
        return None

    def rebuild_derived(self) -> int:
        return 0

    def rebuild_fts(self) -> int:
        return self.count()
