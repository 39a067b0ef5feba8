"""SQLite specifics of the store; what every backend must do is in tests/contracts."""

from __future__ import annotations

import sqlite3

import pytest

from catalogue.errors import StoreError
from catalogue.model import parse_practice
from catalogue.store import make_filters
from catalogue.store_sqlite import SCHEMA_VERSION, SqliteStore
from catalogue.text import analyze
from tests.conftest import fts_hits


def _load(store, sample):
    practices = [parse_practice(d) for d in sample]
    return practices, store.upsert_many(practices)


def test_fts_uses_dutch_stems_and_folds_diacritics(store, sample):
    _load(store, sample)
    # 'oefende' and 'oefenen' share the stem; 'cafe' matches 'Taalcafé' only as a whole word.
    hits = fts_hits(store, analyze("vrijwilliger oefende"), make_filters(), limit=10)
    assert [p.id for p in store.get_many([r for r, _ in hits]).values()] == ["taalcafe-gent"]


@pytest.mark.parametrize("query", ['"', '*', 'NEAR(', 'title:x', '(((', 'AND OR NOT', "'; DROP TABLE practices; --"])
def test_fts_syntax_characters_never_raise(store, sample, query):
    _load(store, sample)
    fts_hits(store, analyze(query), make_filters(), limit=10)
    fts_hits(store, [query], make_filters(), limit=10)
    assert store.count() == len(sample)


def test_schema_is_versioned_and_newer_schema_refused(tmp_path, sample):
    path = tmp_path / "x.db"
    s = SqliteStore(path)
    assert s.schema_version == SCHEMA_VERSION
    s.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schemaversie 99"):
        SqliteStore(path)


def test_plain_readable_tables_in_wal_mode(store, sample):
    _load(store, sample)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    row = conn.execute("SELECT title, region, krachtlijnen FROM practices WHERE id='taalcafe-gent'").fetchone()
    assert row == ("Taalcafé in de bibliotheek", "oost-vlaanderen", '["verbindend", "laagdrempelig"]')


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="praktijkbank init"):
        SqliteStore(tmp_path / "nope.db", create=False)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="geen leesbare SQLite"):
        SqliteStore(path)
