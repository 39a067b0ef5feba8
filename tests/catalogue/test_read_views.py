"""The speed fixes in store, search and embedder give the same answers as the code they replace."""

from __future__ import annotations

import itertools
import random
import sqlite3
from pathlib import Path

import pytest

from benchmarks.corpus import generate
from catalogue.model import parse_practice
from catalogue.store import Filters, make_filters
from catalogue.store_sqlite import SqliteStore
from catalogue.text import analyze, stem_words
from tests.conftest import fts_hits


@pytest.fixture
def filled(tmp_path: Path) -> SqliteStore:
    store = SqliteStore(tmp_path / "speed.db")
    practices = [parse_practice(r) for r in generate(400)]
    for p in practices[::9]:
        p.status = "draft"
    store.upsert_many(practices)
    yield store
    store.close()


def _sql_rids(store: SqliteStore, filters: Filters) -> list[int]:
    where, params = store._where(filters)
    return [r[0] for r in store.db.execute(f"SELECT rid FROM practices WHERE {where} ORDER BY rid", params)]


def _sql_facets(store: SqliteStore, rids: list[int]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {"krachtlijn": {}, "region": {}, "sector": {}}
    rows = store.db.execute(
        "SELECT kind, value, count(*) FROM practice_tags WHERE kind IN ('krachtlijn','region','sector') "
        "AND rid IN (SELECT value FROM json_each(?)) GROUP BY kind, value ORDER BY count(*) DESC, value",
        [str(rids)])
    for kind, value, n in rows:
        counts[kind][value] = n
    return counts


FILTERS = [
    make_filters(), make_filters(status=()), make_filters(status=["draft"]),
    make_filters(region=["limburg"]), make_filters(region=["brussel", "antwerpen"], sector=["welzijn"]),
    make_filters(region=["oost-vlaanderen"], sector=["jeugd", "wonen"], krachtlijn=["verbindend"]),
    make_filters(krachtlijn=["politiserend"], status=["published", "draft"]),
    make_filters(sector=["mobiliteit"], target_group=["ouderen"]),
]


@pytest.mark.parametrize("filters", FILTERS)
def test_filter_rids_equal_the_sql_answer(filled: SqliteStore, filters: Filters) -> None:
    assert filled.filter_rids(filters) == _sql_rids(filled, filters)


def test_facet_counts_equal_the_sql_answer_in_order(filled: SqliteStore) -> None:
    rng = random.Random(5)
    all_rids = filled.filter_rids(make_filters(status=()))
    for size in (0, 1, 17, 200, len(all_rids)):
        rids = rng.sample(all_rids, size) + [999_999]  # an unknown rid counts for nothing
        got = filled.facet_counts(rids)
        want = _sql_facets(filled, rids)
        assert got == want and [list(d) for d in got.values()] == [list(d) for d in want.values()]


def test_masks_follow_writes_from_this_and_other_connections(filled: SqliteStore, tmp_path: Path) -> None:
    limburg = make_filters(region=["limburg"])
    before = filled.filter_rids(limburg)
    other = SqliteStore(filled.path)  # another connection, as another process would be
    victim = other.get_many([before[0]])[before[0]]
    other.delete(victim.id)
    assert filled.filter_rids(limburg) == before[1:]
    moved = filled.get_many([before[1]])[before[1]].model_copy(update={"region": "antwerpen",
                                                                         "municipality": None})
    filled.upsert_many([moved])
    assert filled.filter_rids(limburg) == before[2:] == _sql_rids(filled, limburg)
    other.close()


def test_masks_follow_a_restore_into_the_live_connection(filled: SqliteStore, tmp_path: Path) -> None:
    everything = make_filters(status=())
    full = filled.filter_rids(everything)
    empty = sqlite3.connect(tmp_path / "empty.db")
    SqliteStore(tmp_path / "empty.db").close()
    empty.backup(filled.db.conn)  # what SqliteStore.restore does: pages replaced under our connection
    empty.close()
    assert full and filled.filter_rids(everything) == _sql_rids(filled, everything) == []


def test_masks_are_bypassed_inside_a_write_transaction(filled: SqliteStore) -> None:
    limburg = make_filters(region=["limburg"])
    before = filled.filter_rids(limburg)
    with pytest.raises(RuntimeError), filled.transaction():
        filled.db.execute("DELETE FROM practice_tags")
        assert filled.filter_rids(limburg) == []  # the transaction sees its own delete
        raise RuntimeError("roll back")
    assert filled.filter_rids(limburg) == before


@pytest.mark.parametrize("query", ["buurtbewoners koken samen", "schulden en budget", "taal oefenen"])
@pytest.mark.parametrize("filters", FILTERS[:6])
def test_fts_with_candidates_equals_fts_with_filters(filled: SqliteStore, query: str, filters: Filters) -> None:
    filled.warm()  # both calls must go through the same postings, not one through FTS5
    terms = analyze(query)
    candidates = _sql_rids(filled, filters)
    by_filters = fts_hits(filled, terms, filters, limit=50)
    by_candidates = fts_hits(filled, terms, filters, limit=50, rids=candidates)
    assert [r for r, _ in by_filters] == [r for r, _ in by_candidates]
    assert [s for _, s in by_filters] == pytest.approx([s for _, s in by_candidates], rel=1e-9)
    assert {r for r, _ in by_filters} <= set(candidates)


def test_fts_never_pushes_the_candidate_list_into_fts5(filled: SqliteStore) -> None:
    """A `rowid = ?` constraint per candidate made FTS5 recompute bm25 statistics per row."""
    scope, params = filled.fulltext._scope(make_filters(region=["limburg"]), None)
    sql = f"EXPLAIN QUERY PLAN SELECT rowid FROM practices_fts WHERE practices_fts MATCH ? {scope}"
    plan = " ".join(str(row[-1]) for row in filled.db.execute(sql, ['"buurt"', *params]))
    assert "VIRTUAL TABLE INDEX 0:M" in plan and ":=" not in plan


def test_every_facet_value_combination_agrees(filled: SqliteStore) -> None:
    for region, sector in itertools.product(["limburg", "brussel", "vlaanderen"], ["welzijn", "armoede"]):
        filters = make_filters(region=[region], sector=[sector])
        assert filled.filter_rids(filters) == _sql_rids(filled, filters)


@pytest.mark.realmodel
def test_e5_encodes_one_query_on_one_thread_and_batches_on_all() -> None:
    """An idle second OpenMP thread made single queries wait for a wake-up on a busy machine."""
    from search.embedders import make_embedder

    e5 = make_embedder("e5-small")
    omp = e5._omp  # type: ignore[attr-defined]
    e5.encode_queries(["buurtrestaurant"])
    assert omp.omp_get_max_threads() == 1
    e5.encode_documents(["een tekst", "nog een tekst"])
    assert omp.omp_get_max_threads() == e5._batch_threads  # type: ignore[attr-defined]


# -- BM25 postings in memory (catalogue/lexicon.py) against FTS5's own bm25() -------------

LEXICAL_QUERIES = ["buurtbewoners koken samen", "schulden en budget", "taal oefenen met nieuwkomers",
                   "jongeren", "ouderen eenzaamheid buurt", "zzzonbekendwoord", "sociaal werk samen"]


def _fts5(store: SqliteStore, terms: list[str], filters: Filters, rids: list[int] | None = None,
          limit: int = 1000) -> list[tuple[int, float]]:
    store.fulltext.use_lexicon = False
    try:
        return fts_hits(store, terms, filters, limit=limit, rids=rids)
    finally:
        store.fulltext.use_lexicon = True


def _same_ranking(got: list[tuple[int, float]], want: list[tuple[int, float]]) -> None:
    assert len(got) == len(want)
    assert [r for r, _ in got] == [r for r, _ in want] or sorted(got) == pytest.approx(sorted(want))
    assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-9)


@pytest.mark.parametrize("filters", FILTERS)
def test_lexicon_gives_fts5s_bm25_scores_and_order(filled: SqliteStore, filters: Filters) -> None:
    filled.warm()
    assert filled.fulltext.current_lexicon() is not None
    for query in LEXICAL_QUERIES:
        terms = analyze(query)
        _same_ranking(fts_hits(filled, terms, filters, limit=1000), _fts5(filled, terms, filters))
        _same_ranking(fts_hits(filled, terms, filters, limit=7), _fts5(filled, terms, filters, limit=7))
        candidates = _sql_rids(filled, filters)[::3]
        _same_ranking(fts_hits(filled, terms, filters, limit=50, rids=candidates),
                      _fts5(filled, terms, filters, rids=candidates, limit=50))


def test_lexicon_follows_writes_and_fts5_answers_until_it_is_rebuilt(filled: SqliteStore) -> None:
    filled.warm()
    built = filled.fulltext.current_lexicon()
    terms = stem_words(["fietsherstelling"])  # the whole word only: its parts (fiets) are common
    assert fts_hits(filled, terms, make_filters(), limit=10) == []
    other = SqliteStore(filled.path)  # another process's write
    other.upsert_many([parse_practice({
        "id": "fietsherstelling-gent", "title": "Fietsherstelling in de wijk", "summary": "Buren herstellen fietsen.",
        "organisation": "Vzw Velo", "municipality": "Gent", "sectors": ["mobiliteit"],
        "krachtlijnen": ["verbindend"]})])
    other.close()
    # right after the write the old postings are not used: FTS5 answers, with the new practice
    hits = fts_hits(filled, terms, make_filters(), limit=10)
    assert [filled.get_many([r])[r].id for r, _ in hits] == ["fietsherstelling-gent"]
    filled.warm()
    assert filled.fulltext.current_lexicon() is not built
    _same_ranking(fts_hits(filled, terms, make_filters(), limit=10), hits)


def test_lexicon_is_bypassed_inside_a_write_transaction(filled: SqliteStore) -> None:
    filled.warm()
    terms = analyze("jongeren")
    before = fts_hits(filled, terms, make_filters(), limit=5)
    with pytest.raises(RuntimeError), filled.transaction():
        filled.db.execute("DELETE FROM practices_fts")
        assert fts_hits(filled, terms, make_filters(), limit=5) == []  # sees its own delete
        raise RuntimeError("roll back")
    _same_ranking(fts_hits(filled, terms, make_filters(), limit=5), before)


def test_fts_tokens_split_like_unicode61() -> None:
    from catalogue.lexicon import fts_tokens

    assert fts_tokens("taal_cafe oefen 2 0") == ["taal", "cafe", "oefen", "2", "0"]
    assert fts_tokens("cafe\u00e9 ni\u00f1o_x") == ["cafe\u00e9", "ni\u00f1o", "x"]


def test_shown_practices_are_copies_and_follow_writes_from_other_connections(filled: SqliteStore) -> None:
    rid = filled.filter_rids(make_filters())[0]
    shown = filled.get_many([rid])[rid]
    shown.title = "alleen in het geheugen van de aanroeper"
    assert filled.get_many([rid])[rid].title != shown.title  # the cache hands out copies
    other = SqliteStore(filled.path)  # another process edits the practice
    other.upsert_many([other.get_many([rid])[rid].model_copy(update={"title": "Een nieuwe titel"})])
    assert filled.get_many([rid])[rid].title == "Een nieuwe titel"
    other.delete(shown.id)
    assert filled.get_many([rid]) == {}
    other.close()


def test_shown_practices_inside_a_write_transaction_are_its_own(filled: SqliteStore) -> None:
    rid = filled.filter_rids(make_filters())[0]
    before = filled.get_many([rid])[rid]
    with pytest.raises(RuntimeError), filled.transaction():
        filled.upsert_many([before.model_copy(update={"title": "Nog niet bewaard"})])
        assert filled.get_many([rid])[rid].title == "Nog niet bewaard"
        raise RuntimeError("roll back")
    assert filled.get_many([rid])[rid].title == before.title
