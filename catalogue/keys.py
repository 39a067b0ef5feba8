"""API keys for writes: random secrets shown once, stored only as SHA-256 hashes, revocable.

A key reads 'pb_<key_id>_<secret>'; the key_id finds the row, the secret is compared in
constant time with hmac.compare_digest. Keys are security state, kept by the backend next to
the catalogue (catalogue/keys_sqlite.py) but never restored with it unless asked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from catalogue.errors import InvalidInput


@dataclass(frozen=True)
class ApiKey:
    """A stored key, without its secret."""

    key_id: str
    name: str
    created: str
    revoked: str | None


@dataclass(frozen=True)
class StoredKey:
    """A key as a backend stores it: its record and the SHA-256 hash of its secret (never the
    secret itself). Copied between catalogues, a valid key stays valid and a revoked one revoked."""

    key_id: str
    name: str
    key_hash: str
    created: str  # ISO 8601, UTC, to the second
    revoked: str | None


class ApiKeyStore(Protocol):
    """Creates, lists, revokes and verifies the curators' API keys."""

    def create(self, name: str) -> str:
        """A new key; the full key is returned once and never stored."""

    def list_keys(self) -> list[ApiKey]: ...

    def revoke(self, key_id: str) -> None: ...

    def verify(self, key: str | None) -> ApiKey | None:
        """The key's record when it is valid and not revoked; None otherwise."""

    def export_keys(self) -> list[StoredKey]:
        """Every stored key with its hash, revoked ones included, by creation time (to the second), then id."""

    def import_keys(self, keys: Iterable[StoredKey]) -> int:
        """Put these records in place of every stored key, in one write transaction (the
        store's, when one is open on this thread); returns how many there are now."""


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("naam", "geef een naam van 1 tot 100 tekens")
    return name


def new_secret() -> tuple[str, str]:
    """A fresh (key_id, secret) pair."""
    return secrets.token_hex(4), secrets.token_urlsafe(24)


def full_key(key_id: str, secret: str) -> str:
    return f"pb_{key_id}_{secret}"


def split_key(key: str | None) -> tuple[str, str] | None:
    """(key_id, secret) of a key in the 'pb_<key_id>_<secret>' form, or None."""
    if not key or not key.startswith("pb_") or key.count("_") < 2:
        return None
    _, key_id, secret = key.split("_", 2)
    return key_id, secret


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    """Constant-time comparison, also when there is no stored hash (an unknown key id)."""
    return hmac.compare_digest(key_hash(secret), stored_hash or key_hash("no such key")) and stored_hash is not None
