"""Restores validate the whole backup in a temporary copy before the swap; keys stay unless asked;
`check` finds rows the model rejects and repair rebuilds the derived tables from `practices`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalogue.errors import StoreError
from catalogue.keys_sqlite import SqliteKeyStore
from catalogue.model import parse_practice
from catalogue.store import Filters
from catalogue.text import analyze
from tests.conftest import fts_hits

EDITED = "Gewijzigd na de back-up"


@pytest.fixture
def filled(store, sample):
    store.upsert_many([parse_practice(d) for d in sample])
    return store


@pytest.fixture
def backup(filled, tmp_path) -> Path:
    target = tmp_path / "backup.db"
    filled.backup(target)
    # The live catalogue moves on after the backup, so a refused restore is visible.
    filled.upsert_many([parse_practice({**filled.get("taalcafe-gent").model_dump(), "title": EDITED})])
    return target


def tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def assert_untouched(store, sample) -> None:
    assert store.count() == len(sample)
    assert store.get("taalcafe-gent").title == EDITED
    assert [p.id for p in store.list_practices(Filters())]  # every row still reads


@pytest.mark.parametrize("statement", ["DROP TABLE practices_fts", "DROP TABLE practice_tags"])
def test_a_backup_without_a_derived_table_restores_with_it_rebuilt(filled, backup, sample, statement):
    tamper(backup, statement)
    result = filled.restore(backup)
    assert result.practices == len(sample)
    assert filled.get("taalcafe-gent").title == sample[0]["title"]
    assert filled.rid_of("taalcafe-gent") in [r for r, _ in fts_hits(filled, analyze("taalcafé"), Filters(), limit=5)]
    assert filled.count(Filters(region=("antwerpen",))) == 1


@pytest.mark.parametrize("statement, named", [
    ("UPDATE practices SET sectors = '[\"welzijn\"' WHERE id = 'digipunt-kortrijk'", "digipunt-kortrijk"),
    ("UPDATE practices SET region = 'mars' WHERE id = 'jeugdhuis-brussel'", "jeugdhuis-brussel"),
    ("UPDATE practices SET extra = 'niet json' WHERE id = 'taalcafe-gent'", "taalcafe-gent"),
    ("UPDATE practices SET status = 'weg' WHERE id = 'taalcafe-gent'", "taalcafe-gent"),
])
def test_a_backup_with_a_bad_row_is_refused_and_changes_nothing(filled, backup, sample, statement, named):
    tamper(backup, statement)
    with pytest.raises(StoreError, match="niets hersteld") as info:
        filled.restore(backup)
    assert named in str(info.value)
    assert_untouched(filled, sample)
    assert not list(filled.path.parent.glob(".restore-*"))


@pytest.mark.parametrize("statement", [
    "ALTER TABLE practices DROP COLUMN krachtlijnen",
    "DROP TABLE practices",
])
def test_a_backup_with_a_broken_schema_is_refused(filled, backup, sample, statement):
    tamper(backup, statement)
    with pytest.raises(StoreError, match="niets hersteld"):
        filled.restore(backup)
    assert_untouched(filled, sample)


def test_restore_keeps_the_current_keys_unless_asked(filled, tmp_path):
    keys = SqliteKeyStore(filled)
    old = keys.create("oud")
    target = tmp_path / "backup.db"
    filled.backup(target)
    keys.revoke(old.split("_")[1])
    new = keys.create("nieuw")

    result = filled.restore(target)
    assert (result.keys_kept, result.keys_in_backup, result.with_keys) == (2, 1, False)
    assert keys.verify(old) is None  # a revoked key stays revoked
    assert keys.verify(new) is not None  # and a newer one keeps working

    result = filled.restore(target, with_keys=True)
    assert (result.keys_kept, result.keys_in_backup, result.with_keys) == (0, 1, True)
    assert keys.verify(old) is not None and keys.verify(new) is None


def test_check_names_bad_rows_and_missing_derived_tables(filled, core, sample):
    core.indexing.sync()
    tamper(filled.path, "UPDATE practices SET krachtlijnen = 'kapot' WHERE id = 'digipunt-kortrijk'",
           "DROP TABLE practice_tags", "DROP TABLE practices_fts")
    report = core.indexing.check()
    assert not report.ok
    assert any("digipunt-kortrijk" in p and "krachtlijnen" in p for p in report.problems)
    assert any("practices_fts" in p or "volledige-tekstindex" in p for p in report.problems)

    core.indexing.repair()  # rebuilds tags and FTS from practices; the bad row stays for the curator
    report = core.indexing.check()
    assert [p for p in report.problems if "digipunt-kortrijk" not in p] == []
    assert filled.count(Filters(region=("antwerpen",))) == 1
    tamper(filled.path, "UPDATE practices SET krachtlijnen = '[\"laagdrempelig\"]' WHERE id = 'digipunt-kortrijk'")
    assert core.indexing.check().problems == ["tags: 1 praktijken zonder tags"]  # the mended row gets them...
    core.indexing.repair()
    assert core.indexing.check().ok  # ...from the next repair
