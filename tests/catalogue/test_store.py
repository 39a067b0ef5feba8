from __future__ import annotations

import sqlite3

import pytest

from catalogue.errors import PracticeNotFound, StoreError
from catalogue.model import parse_practice
from catalogue.store import Filters, make_filters
from catalogue.store_sqlite import SCHEMA_VERSION, SqliteStore
from catalogue.text import analyze


def _load(store, sample):
    practices = [parse_practice(d) for d in sample]
    return practices, store.upsert_many(practices)


def test_round_trip_keeps_every_field(store, sample):
    practices, result = _load(store, sample)
    assert sorted(result.added) == sorted(p.id for p in practices)
    for p in practices:
        got = store.get(p.id)
        assert got.model_dump(exclude={"created", "updated"}) == p.model_dump(exclude={"created", "updated"})
        assert got.created is not None and got.updated is not None


def test_upsert_again_is_unchanged_and_edit_is_update(store, sample):
    practices, _ = _load(store, sample)
    again = store.upsert_many(practices)
    assert again.added == [] and again.updated == [] and len(again.unchanged) == len(practices)
    changed = practices[0].model_copy(update={"summary": "Een heel andere samenvatting van dit project."})
    result = store.upsert_many([changed])
    assert result.updated == [changed.id]
    assert store.get(changed.id).summary.startswith("Een heel andere")


def test_rid_is_stable_and_never_reused(store, sample):
    _load(store, sample)
    rid = store.rid_of("taalcafe-gent")
    store.delete("taalcafe-gent")
    store.upsert_many([parse_practice(sample[0])])
    assert store.rid_of("taalcafe-gent") > rid


def test_delete_and_not_found(store, sample):
    _load(store, sample)
    store.delete("digipunt-kortrijk")
    with pytest.raises(PracticeNotFound):
        store.get("digipunt-kortrijk")
    with pytest.raises(PracticeNotFound):
        store.delete("digipunt-kortrijk")
    assert "digipunt-kortrijk" not in {p.id for p in store.list(Filters())}


def test_filters_or_within_and_across(store, sample):
    _load(store, sample)
    ids = lambda f: {p.id for p in store.list(f)}  # noqa: E731
    assert ids(make_filters(region=["Oost-Vlaanderen", "antwerpen"])) == {
        "taalcafe-gent", "buurtrestaurant-antwerpen"}
    assert ids(make_filters(krachtlijn=["laagdrempelig"], region=["antwerpen", "west-vlaanderen"])) == {
        "buurtrestaurant-antwerpen", "digipunt-kortrijk"}
    assert ids(make_filters(theme=["onderbescherming"])) == {"rechtenverkenners-limburg"}


def test_drafts_are_not_in_published_lists(store, sample):
    sample[0]["status"] = "draft"
    _load(store, sample)
    assert "taalcafe-gent" not in {p.id for p in store.list(make_filters())}
    assert "taalcafe-gent" in {p.id for p in store.list(make_filters(status=["draft"]))}
    assert 0 not in [e.rid for e in store.index_entries()]
    assert store.rid_of("taalcafe-gent") not in [e.rid for e in store.index_entries()]


def test_fts_uses_dutch_stems_and_folds_diacritics(store, sample):
    _load(store, sample)
    # 'oefende' and 'oefenen' share the stem; 'cafe' matches 'Taalcafé' only as a whole word.
    hits = store.fts_search(analyze("vrijwilliger oefende"), make_filters(), limit=10)
    assert [store.ids_for([r])[r] for r, _ in hits] == ["taalcafe-gent"]


@pytest.mark.parametrize("query", ['"', '*', 'NEAR(', 'title:x', '(((', 'AND OR NOT', "'; DROP TABLE practices; --"])
def test_fts_syntax_characters_never_raise(store, sample, query):
    _load(store, sample)
    store.fts_search(analyze(query), make_filters(), limit=10)
    store.fts_search([query], make_filters(), limit=10)
    assert store.count() == len(sample)


def test_facet_counts_match_brute_force(store, sample):
    practices, _ = _load(store, sample)
    rids = store.filter_rids(make_filters())
    counts = store.facet_counts(rids)
    for kind, attr in (("krachtlijn", "krachtlijnen"), ("sector", "sectors")):
        for value, n in counts[kind].items():
            assert n == sum(value in getattr(p, attr) for p in practices)
    assert sum(counts["region"].values()) == len(practices)


def test_failed_batch_writes_nothing(store, sample):
    practices = [parse_practice(d) for d in sample]

    class Boom:
        def __iter__(self):
            yield practices[0]
            yield practices[1]
            raise RuntimeError("crash in the middle")

    with pytest.raises(RuntimeError):
        store.upsert_many(Boom())
    assert store.count() == 0


def test_dry_run_writes_nothing(store, sample):
    practices = [parse_practice(d) for d in sample]
    result = store.upsert_many(practices, dry_run=True)
    assert len(result.added) == len(practices)
    assert store.count() == 0


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
