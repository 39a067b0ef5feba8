"""API keys in the SQLite catalogue's `api_keys` table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from catalogue.backup_sqlite import replace_keys
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
from catalogue.store_sqlite import SqliteStore


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class SqliteKeyStore:
    """ApiKeyStore on the catalogue's SQLite file."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store

    def create(self, name: str) -> str:
        name = checked_name(name)
        key_id, secret = new_secret()
        with self.store.transaction():
            self.store.db.execute(
                "INSERT INTO api_keys(key_id, name, key_hash, created) VALUES (?, ?, ?, ?)",
                [key_id, name, key_hash(secret), _now()],
            )
        return full_key(key_id, secret)

    def list_keys(self) -> list[ApiKey]:
        rows = self.store.db.execute("SELECT key_id, name, created, revoked FROM api_keys ORDER BY created")
        return [ApiKey(*row) for row in rows]

    def revoke(self, key_id: str) -> None:
        with self.store.transaction():
            cur = self.store.db.execute(
                "UPDATE api_keys SET revoked = ? WHERE key_id = ? AND revoked IS NULL", [_now(), key_id])
        if cur.rowcount == 0:
            raise InvalidInput("key_id", f"geen actieve sleutel met id '{key_id}'")

    def verify(self, key: str | None) -> ApiKey | None:
        parts = split_key(key)
        if parts is None:
            return None
        key_id, secret = parts
        row = self.store.db.execute(
            "SELECT key_id, name, created, revoked, key_hash FROM api_keys WHERE key_id = ?", [key_id]
        ).fetchone()
        if not secret_matches(secret, row[4] if row else None) or row[3]:
            return None
        return ApiKey(*row[:4])

    def export_keys(self) -> list[StoredKey]:
        rows = self.store.db.execute(
            "SELECT key_id, name, key_hash, created, revoked FROM api_keys ORDER BY created, key_id")
        return [StoredKey(*row) for row in rows]

    def import_keys(self, keys: Iterable[StoredKey]) -> int:
        rows = [(k.key_id, k.name, k.key_hash, k.created, k.revoked) for k in keys]
        with self.store.transaction():
            replace_keys(self.store.db.conn, rows)
        return len(rows)
