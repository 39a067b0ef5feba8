"""API keys for writes: random secrets shown once, stored only as SHA-256 hashes, revocable.

A key reads 'pb_<key_id>_<secret>'; the key_id finds the row, the secret is compared in
constant time with hmac.compare_digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from catalogue.errors import InvalidInput
from catalogue.store_sqlite import SqliteStore


@dataclass(frozen=True)
class ApiKey:
    """A stored key, without its secret."""

    key_id: str
    name: str
    created: str
    revoked: str | None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class KeyStore:
    """API keys in the catalogue database."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store

    def create(self, name: str) -> str:
        """A new key; the full key is returned once and never stored."""
        name = name.strip()
        if not name or len(name) > 100:
            raise InvalidInput("naam", "geef een naam van 1 tot 100 tekens")
        key_id = secrets.token_hex(4)
        secret = secrets.token_urlsafe(24)
        with self.store.transaction():
            self.store.db.execute(
                "INSERT INTO api_keys(key_id, name, key_hash, created) VALUES (?, ?, ?, ?)",
                [key_id, name, _hash(secret), dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
            )
        return f"pb_{key_id}_{secret}"

    def list(self) -> list[ApiKey]:
        rows = self.store.db.execute("SELECT key_id, name, created, revoked FROM api_keys ORDER BY created")
        return [ApiKey(*row) for row in rows]

    def revoke(self, key_id: str) -> None:
        with self.store.transaction():
            cur = self.store.db.execute(
                "UPDATE api_keys SET revoked = ? WHERE key_id = ? AND revoked IS NULL",
                [dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), key_id],
            )
        if cur.rowcount == 0:
            raise InvalidInput("key_id", f"geen actieve sleutel met id '{key_id}'")

    def verify(self, key: str | None) -> ApiKey | None:
        """The key's record when it is valid and not revoked; None otherwise."""
        if not key or not key.startswith("pb_") or key.count("_") < 2:
            return None
        _, key_id, secret = key.split("_", 2)
        row = self.store.db.execute(
            "SELECT key_id, name, created, revoked, key_hash FROM api_keys WHERE key_id = ?", [key_id]
        ).fetchone()
        expected = row[4] if row else _hash("no such key")
        ok = hmac.compare_digest(_hash(secret), expected)
        if not row or not ok or row[3]:
            return None
        return ApiKey(*row[:4])
