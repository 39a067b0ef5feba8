"""Backups through SQLite's online backup API, and restores that check before they touch anything."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from catalogue.errors import StoreError
from catalogue.model import parse_practice
from catalogue.store import Filters
from catalogue.store_sqlite import SqliteStore
from catalogue.text import analyze
from tests.conftest import fts_hits


@pytest.fixture
def filled(store, sample):
    store.upsert_many([parse_practice(d) for d in sample])
    return store


def test_backup_and_restore_round_trip(filled, tmp_path, sample):
    target = tmp_path / "backups" / "catalogus.db"
    assert filled.backup(target) == len(sample)
    filled.delete("taalcafe-gent")
    filled.upsert_many([parse_practice({**sample[1], "title": "Gewijzigd na de back-up"})])
    assert filled.restore(target).practices == len(sample)
    assert filled.get("taalcafe-gent").title == sample[0]["title"]
    assert filled.get(sample[1]["id"]).title == sample[1]["title"]
    # The restored full-text index came along with the rows.
    hits = fts_hits(filled, analyze("taalcafé"), Filters(), limit=5)
    assert [filled.rid_of("taalcafe-gent")] == [rid for rid, _ in hits]


def test_backup_is_a_single_file_and_a_consistent_snapshot(filled, tmp_path, sample):
    """A write transaction that is open elsewhere during the backup is not in the copy."""
    other = SqliteStore(filled.path)
    started, release = threading.Event(), threading.Event()

    def writer() -> None:
        with other.transaction():
            other.delete("taalcafe-gent")
            started.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait(10)
    target = tmp_path / "snapshot.db"
    try:
        count = filled.backup(target)
    finally:
        release.set()
        thread.join()
    assert count == len(sample)
    assert not (tmp_path / "snapshot.db-wal").exists()
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM practices").fetchone()[0] == len(sample)
    conn.close()
    assert filled.count() == len(sample) - 1  # the writer committed after the snapshot


@pytest.mark.parametrize("content, message", [
    (b"dit is geen database", "geen leesbare SQLite-back-up"),
    (None, "geen back-up van een praktijkbank-catalogus"),
])
def test_restore_refuses_a_bad_file_and_changes_nothing(filled, tmp_path, sample, content, message):
    bad = tmp_path / "bad.db"
    if content is None:
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE andere (x)")
        conn.close()
    else:
        bad.write_bytes(content * 400)
    with pytest.raises(StoreError, match=message) as info:
        filled.restore(bad)
    assert str(bad) in str(info.value)
    assert filled.count() == len(sample)


def test_restore_of_a_missing_file_names_it(filled, tmp_path):
    with pytest.raises(StoreError, match="niet gevonden"):
        filled.restore(tmp_path / "nergens.db")


def test_backup_cannot_overwrite_the_catalogue_itself(filled):
    with pytest.raises(StoreError):
        filled.backup(filled.path)
