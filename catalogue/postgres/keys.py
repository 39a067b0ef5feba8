"""API keys in the PostgreSQL catalogue's `api_keys` table, shared by every API server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from catalogue.errors import InvalidInput
from catalogue.keys import (
    ApiKey,
    StoredKey,
    checked_name,
    full_key,
    key_hash,
    new_secret,
    secret_matches,
    split_key,
)
from catalogue.postgres.connection import redact
from catalogue.postgres.sessions import Sessions


def _text(value: dt.datetime | None) -> str | None:
    """A timestamp as SqliteKeyStore shows it: UTC, ISO 8601 to the second."""
    return None if value is None else value.astimezone(dt.UTC).isoformat(timespec="seconds")


class PostgresKeyStore:
    """ApiKeyStore on the catalogue's PostgreSQL database (the store's pool; closed with the store).

    Given the store's `sessions`, an import joins the store's write transaction of this thread,
    so that a copy of the whole catalogue commits its keys with its practices."""

    def __init__(self, pool: Any, *, sessions: Sessions | None = None) -> None:
        self.pool = pool
        self.sessions = sessions or Sessions(pool, label=redact(str(pool.conninfo)), committed=lambda version: None)

    def create(self, name: str) -> str:
        name = checked_name(name)
        key_id, secret = new_secret()
        with self.pool.connection() as conn:
            conn.execute("INSERT INTO api_keys (key_id, name, key_hash, created) VALUES (%s, %s, %s, now())",
                         [key_id, name, key_hash(secret)])
        return full_key(key_id, secret)

    def list_keys(self) -> list[ApiKey]:
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT key_id, name, created, revoked FROM api_keys "
                                "ORDER BY created, key_id").fetchall()
        return [ApiKey(key_id, name, _text(created) or "", _text(revoked)) for key_id, name, created, revoked in rows]

    def revoke(self, key_id: str) -> None:
        with self.pool.connection() as conn:
            cur = conn.execute("UPDATE api_keys SET revoked = now() WHERE key_id = %s AND revoked IS NULL",
                               [key_id])
        if cur.rowcount == 0:
            raise InvalidInput("key_id", f"geen actieve sleutel met id '{key_id}'")

    def verify(self, key: str | None) -> ApiKey | None:
        parts = split_key(key)
        if parts is None:
            return None
        key_id, secret = parts
        with self.pool.connection() as conn:
            row = conn.execute("SELECT key_id, name, created, revoked, key_hash FROM api_keys WHERE key_id = %s",
                               [key_id]).fetchone()
        if not secret_matches(secret, row[4] if row else None) or row[3] is not None:
            return None
        return ApiKey(row[0], row[1], _text(row[2]) or "", None)

    def export_keys(self) -> list[StoredKey]:
        with self.sessions.connection() as conn:
            # in the order of the records' own times (to the second), as SQLite orders them
            rows = conn.execute("SELECT key_id, name, key_hash, created, revoked FROM api_keys "
                                "ORDER BY date_trunc('second', created), key_id").fetchall()
        return [StoredKey(key_id, name, hashed, _text(created) or "", _text(revoked))
                for key_id, name, hashed, created, revoked in rows]

    def import_keys(self, keys: Iterable[StoredKey]) -> int:
        rows = [(k.key_id, k.name, k.key_hash, k.created, k.revoked) for k in keys]
        with self.sessions.transaction() as conn:
            conn.execute("DELETE FROM api_keys")
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO api_keys (key_id, name, key_hash, created, revoked) "
                                "VALUES (%s, %s, %s, %s, %s)", rows)
        return len(rows)
