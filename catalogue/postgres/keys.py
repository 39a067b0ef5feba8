"""API keys in the PostgreSQL catalogue's `api_keys` table, shared by every API server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from catalogue.errors import InvalidInput
from catalogue.keys import ApiKey, checked_name, full_key, key_hash, new_secret, secret_matches, split_key


def _text(value: dt.datetime | None) -> str | None:
    """A timestamp as SqliteKeyStore shows it: UTC, ISO 8601 to the second."""
    return None if value is None else value.astimezone(dt.UTC).isoformat(timespec="seconds")


class PostgresKeyStore:
    """ApiKeyStore on the catalogue's PostgreSQL database (the store's pool; closed with the store)."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

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
