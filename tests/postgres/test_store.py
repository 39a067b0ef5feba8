"""PostgresStore beyond the store contract: several servers, the version listener, BM25, keys, backups."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from benchmarks.corpus import generate
from catalogue.errors import InvalidInput, StoreError, StoreReadOnly
from catalogue.model import Practice, parse_practice
from catalogue.postgres import connection as pgconnection
from catalogue.postgres.backend import open_postgres
from catalogue.postgres.connection import connect, make_pool
from catalogue.postgres.keys import PostgresKeyStore
from catalogue.postgres.store import PostgresStore
from catalogue.postgres.version import VersionWatch
from catalogue.store import Filters, make_filters
from catalogue.store_sqlite import SqliteStore
from catalogue.text import analyze
from tests.conftest import SAMPLE

LEXICAL_QUERIES = ["buurtbewoners koken samen", "schulden en budget", "taal oefenen met nieuwkomers",
                   "jongeren", "ouderen eenzaamheid buurt", "zzzonbekendwoord", "sociaal werk samen",
                   "armoede gezinnen kinderen"]
FILTERS = [make_filters(), make_filters(region=["antwerpen", "limburg"]), make_filters(status=[]),
           make_filters(status=["draft"]), make_filters(sector=["welzijn"], krachtlijn=["verbindend"])]


def _wait_until(check: Callable[[], bool], *, timeout: float) -> float:
    """Poll `check` until it holds; the seconds it took, or fail after `timeout`."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout} s")
        time.sleep(0.005)
    return time.monotonic() - start


@pytest.fixture
def stores(postgres_url: str) -> Iterator[Callable[..., PostgresStore]]:
    """Opens stores on the test's database, each with its own pool; all closed after."""
    opened: list[tuple[PostgresStore, VersionWatch | None]] = []

    def open_one(*, watch: VersionWatch | None = None) -> PostgresStore:
        store = PostgresStore(make_pool(postgres_url, max_size=4), watch=watch)
        opened.append((store, watch))
        return store

    open_postgres(postgres_url)[0].close()  # migrated and analysed once, as a server would
    yield open_one
    for store, watch in opened:
        store.close()
        if watch is not None:
            watch.close()
            watch.join(5)


def _practices() -> list[Practice]:
    return [parse_practice(dict(d)) for d in SAMPLE]


def _another_server(url: str) -> VersionWatch:
    """A watch of its own: a store with it learns other stores' writes only from the database.
    Re-reads are rare, so what arrives within a second arrived through NOTIFY."""
    return VersionWatch(url, recheck_s=60)


def test_a_write_on_one_server_reaches_the_others_views_through_notify(stores, postgres_url):
    reader = stores(watch=_another_server(postgres_url))
    writer = stores(watch=_another_server(postgres_url))
    reader.upsert_many(_practices())
    reader.warm()
    before = reader.version()
    assert _wait_until(lambda: writer.version() == before, timeout=1.0) < 1.0
    writer.upsert_many([parse_practice({**SAMPLE[1], "id": "tweede-restaurant"})])
    committed = writer.version()
    assert committed > before
    took = _wait_until(lambda: reader.version() == committed, timeout=1.0)
    assert took < 1.0
    rid = reader.rid_of("tweede-restaurant")
    assert rid in reader.filter_rids(make_filters())  # the facet masks moved on
    assert reader.facet_counts([rid])["region"] == {"antwerpen": 1}
    reader.warm()
    assert rid in reader.fts_scores(analyze("goedkope warme maaltijd"), make_filters(), limit=10)[0]


def test_stores_of_one_process_see_each_others_commits_at_once(stores):
    first, second = stores(), stores()
    assert first.watch is second.watch
    first.upsert_many(_practices())
    assert second.version() == first.version()
    assert second.count() == len(SAMPLE)


def test_a_lost_notification_is_made_up_by_the_reread_on_reconnect(stores, postgres_url, monkeypatch):
    watch = _another_server(postgres_url)
    reader = stores(watch=watch)
    writer = stores(watch=_another_server(postgres_url))
    reader.upsert_many(_practices())
    old_pid, connects = watch.backend_pid, watch.connects
    # Hold the listener's reconnect, so the next commit's notification reaches nobody.
    allow = threading.Event()
    real_connect = pgconnection.connect

    def held_connect(*args, **kwargs):
        if threading.current_thread().name == "praktijkbank-listen":
            allow.wait(10)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(pgconnection, "connect", held_connect)
    with connect(postgres_url, autocommit=True) as admin:
        # waits until that backend is gone: no later notification can reach it
        assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", [old_pid]).fetchone()[0]
    writer.upsert_many([parse_practice({**SAMPLE[0], "id": "na-de-breuk"})])
    committed = writer.version()
    time.sleep(0.3)  # room for a notification, were one to come: none may (the listener is down)
    assert reader.version() < committed
    allow.set()
    took = _wait_until(lambda: reader.version() == committed, timeout=1.0)
    assert took < 1.0 and watch.connects == connects + 1 and watch.backend_pid != old_pid
    assert reader.exists("na-de-breuk") and reader.rid_of("na-de-breuk") in reader.filter_rids(make_filters())


def test_a_silent_listener_is_backed_by_a_reread_every_recheck_interval(stores, postgres_url):
    watch = VersionWatch(postgres_url, recheck_s=0.5)
    reader = stores(watch=watch)
    writer = stores(watch=_another_server(postgres_url))
    watch.close()  # no listener at all from here on
    assert watch.join(5)
    writer.upsert_many(_practices())
    committed = writer.version()
    assert _wait_until(lambda: reader.version() == committed, timeout=2.0) < 2.0


# -- BM25: the same scores as the SQLite store ---------------------------------------------------


@pytest.fixture
def both(stores, tmp_path: Path) -> Iterator[tuple[SqliteStore, PostgresStore]]:
    practices = [parse_practice(r) for r in generate(300)]
    for p in practices[::7]:
        p.status = "draft"
    sqlite = SqliteStore(tmp_path / "same.db")
    postgres = stores()
    sqlite.upsert_many(practices)
    postgres.upsert_many(practices)
    assert postgres.fts_rowids() == sqlite.fts_rowids()  # same rids, so scores compare by rid
    yield sqlite, postgres
    sqlite.close()


def _hits(store, query: str, filters: Filters, **kwargs) -> list[tuple[int, float]]:
    rids, scores = store.fts_scores(analyze(query), filters, **kwargs)
    return list(zip(rids.tolist(), scores.tolist(), strict=True))


def _same(got: list[tuple[int, float]], want: list[tuple[int, float]]) -> None:
    assert [r for r, _ in got] == [r for r, _ in want]
    assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=0, abs=1e-9)


@pytest.mark.parametrize("filters", FILTERS)
def test_bm25_in_memory_and_in_sql_equals_sqlite(both, filters):
    sqlite, postgres = both
    sqlite.warm()
    postgres.warm()
    assert postgres.fulltext.current_lexicon() is not None
    for query in LEXICAL_QUERIES:
        want = _hits(sqlite, query, filters, limit=1000)
        _same(_hits(postgres, query, filters, limit=1000), want)  # in-memory postings
        with postgres.transaction():  # the SQL BM25 over `terms`
            assert postgres.fulltext.current_lexicon() is None
            _same(_hits(postgres, query, filters, limit=1000), want)
            _same(_hits(postgres, query, filters, limit=7), want[:7])
        candidates = sqlite.filter_rids(filters)[::3]
        _same(_hits(postgres, query, filters, limit=50, rids=candidates),
              _hits(sqlite, query, filters, limit=50, rids=candidates))
        weights = {t: 0.5 for t in analyze(query)[:1]}
        _same(_hits(postgres, query, filters, limit=20, weights=weights),
              _hits(sqlite, query, filters, limit=20, weights=weights))


def test_term_statistics_and_words_equal_sqlite(both):
    sqlite, postgres = both
    terms = analyze("jongeren buurt schulden zzzonbekendwoord")
    assert postgres.term_frequencies(terms) == sqlite.term_frequencies(terms)
    with postgres.transaction():
        assert postgres.term_frequencies(terms) == sqlite.term_frequencies(terms)
    assert postgres.word_counts() == sqlite.word_counts()
    assert postgres.facet_counts(postgres.filter_rids(make_filters())) == \
        sqlite.facet_counts(sqlite.filter_rids(make_filters()))
    titles = [p.id for p in postgres.list_practices(make_filters(), limit=50)]
    assert titles == [p.id for p in sqlite.list_practices(make_filters(), limit=50)]


# -- backups move between the backends -----------------------------------------------------------


def test_a_postgres_backup_restores_into_sqlite_and_back(stores, tmp_path):
    store = stores()
    keys = PostgresKeyStore(store.pool)
    store.upsert_many(_practices())
    key = keys.create("Redactie")
    store.delete("woonbegeleiding-leuven")  # the last rid the sequence handed out
    top = max(store.filter_rids(Filters(status=())))
    assert store.backup(tmp_path / "pg.db") == len(SAMPLE) - 1
    sqlite = SqliteStore(tmp_path / "live.db")
    try:
        sqlite.restore(tmp_path / "pg.db", with_keys=True)
        assert sqlite.count() == len(SAMPLE) - 1 and sqlite.derived_problems() == []
        assert sqlite.get("taalcafe-gent") == store.get("taalcafe-gent")
        sqlite.upsert_many([parse_practice(dict(SAMPLE[5]))])
        assert sqlite.rid_of("woonbegeleiding-leuven") > top + 1  # the deleted one's rid stays unused
        sqlite.backup(tmp_path / "sqlite.db")
    finally:
        sqlite.close()
    keys.revoke(key.split("_")[1])
    store.delete("taalcafe-gent")
    result = store.restore(tmp_path / "sqlite.db")
    assert result.practices == len(SAMPLE) and result.keys_kept == 1 and not result.with_keys
    assert store.exists("taalcafe-gent") and store.bad_rows() == {} and store.derived_problems() == []
    assert keys.verify(key) is None  # revoked stays revoked without with_keys
    store.restore(tmp_path / "sqlite.db", with_keys=True)
    assert keys.verify(key) is not None
    store.upsert_many([parse_practice({**SAMPLE[0], "id": "nieuw-na-herstel"})])
    assert store.rid_of("nieuw-na-herstel") > store.rid_of("woonbegeleiding-leuven")


def test_a_broken_backup_is_refused_and_nothing_changes(stores, tmp_path):
    store = stores()
    store.upsert_many(_practices())
    (tmp_path / "kapot.db").write_bytes(b"geen sqlite")
    with pytest.raises(StoreError, match="er is niets hersteld"):
        store.restore(tmp_path / "kapot.db")
    assert store.count() == len(SAMPLE)


def test_read_only_reason_names_a_read_only_connection(stores, postgres_url):
    stores().upsert_many(_practices())
    pool = make_pool(postgres_url + "&options=-c%20default_transaction_read_only%3Don", max_size=2)
    store = PostgresStore(pool)
    try:
        assert "alleen-lezen" in (store.read_only_reason() or "")
        assert store.count() == len(SAMPLE)
        with pytest.raises(StoreReadOnly, match="alleen gelezen"):
            store.upsert_many([parse_practice({**SAMPLE[0], "id": "nieuw"})])
    finally:
        store.close()


# -- API keys ------------------------------------------------------------------------------------


def test_keys_are_shared_by_every_server(stores):
    one, two = PostgresKeyStore(stores().pool), PostgresKeyStore(stores().pool)
    key = one.create("  Redactie Gent  ")
    key_id = key.split("_")[1]
    listed = two.list_keys()
    assert [(k.key_id, k.name, k.revoked) for k in listed] == [(key_id, "Redactie Gent", None)]
    assert listed[0].created.endswith("+00:00")
    assert two.verify(key) == listed[0]
    assert two.verify(key[:-1] + ("x" if key[-1] != "x" else "y")) is None
    assert two.verify("pb_onbekend_geheim") is None and two.verify(None) is None
    two.revoke(key_id)
    assert one.verify(key) is None and one.list_keys()[0].revoked is not None
    with pytest.raises(InvalidInput, match="key_id"):
        one.revoke(key_id)
    with pytest.raises(InvalidInput, match="naam"):
        one.create(" ")


def test_a_write_transaction_belongs_to_its_thread(stores):
    store = stores()
    store.upsert_many(_practices()[:2])
    written, checked = threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def other_thread() -> None:
        written.wait(10)
        seen["count"] = store.count()  # its own pooled connection: the other thread's rows are not committed
        checked.set()

    reader = threading.Thread(target=other_thread)
    reader.start()
    with store.transaction():
        store.upsert_many(_practices()[2:])  # joins this thread's transaction
        assert store.count() == len(SAMPLE)
        written.set()
        assert checked.wait(10)
    reader.join(10)
    assert seen["count"] == 2 and store.count() == len(SAMPLE)
