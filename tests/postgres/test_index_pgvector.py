"""pgvector as the vector index: exact scores equal to FAISS's, the planner trap, the model check,
and the maintenance writing vectors in the practices' own write transaction."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from psycopg.conninfo import make_conninfo

from catalogue.errors import IndexMissing, IndexOutOfDate
from catalogue.model import parse_practice
from catalogue.postgres.connection import make_pool
from ingest.pipeline import store_practices
from search.index import IndexStamp, verify_stamp
from search.index_faiss import PASSAGE_SCHEME, FaissIndex
from search.index_pgvector import PgVectorIndex, build_hnsw, hnsw_state, record_model, write_vectors
from search.indexing_pg import PgIndexMaintenance
from tests.conftest import SAMPLE, FakeEmbedder
from tests.postgres.practice_rows import SqlRowStore, insert_rows, row_values

DIM = 64


class Model:
    def __init__(self, name: str = "test/clustered-64", dim: int = DIM) -> None:
        self.name, self.dim = name, dim


def clustered(n: int, dim: int, *, seed: int, clusters: int = 10) -> np.ndarray:
    """Unit vectors around a few centres, like real embeddings (uniform ones are unrepresentative)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    vectors = centres[rng.integers(clusters, size=n)] + 0.35 * rng.normal(size=(n, dim))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def pool(postgres_url: str) -> Iterator[Any]:
    pool = make_pool(postgres_url, min_size=1, max_size=4)
    yield pool
    pool.close()


def fill(pool: Any, vectors: np.ndarray, *, model: Model, passages: list[np.ndarray] | None = None,
         first_rid: int = 1) -> list[int]:
    rids = list(range(first_rid, first_rid + len(vectors)))
    with pool.connection() as conn:
        insert_rows(conn, rids)
        record_model(conn, model, PASSAGE_SCHEME if passages is not None else None)
        write_vectors(conn, [(r, f"h{r}", v) for r, v in zip(rids, vectors, strict=True)], passages)
    return rids


# -- the index ----------------------------------------------------------------------------------


def test_exact_scores_equal_faiss_over_all_and_over_candidate_rids(pool):
    vectors = clustered(200, DIM, seed=1)
    sentences = [clustered(int(n), DIM, seed=100 + i) for i, n in
                 enumerate(np.random.default_rng(2).integers(1, 8, size=200))]
    rids = fill(pool, vectors, model=Model(), passages=sentences)
    faiss_index = FaissIndex(DIM, Model().name, passages=PASSAGE_SCHEME)
    faiss_index.upsert(rids, vectors, [f"h{r}" for r in rids], sentences)
    index = PgVectorIndex(pool, embedder=Model(), passages=PASSAGE_SCHEME)
    assert len(index) == 200 and index.stamp.entries == faiss_index.stamp.entries
    rng = np.random.default_rng(3)
    for query in clustered(10, DIM, seed=4):
        candidates = sorted(rng.choice(rids, size=60, replace=False).tolist())
        for scope in (None, candidates):
            got, want = index.rank(query, 25, rids=scope), faiss_index.rank(query, 25, rids=scope)
            assert got.ids.tolist() == want.ids.tolist()
            np.testing.assert_allclose(got.scores, want.scores, atol=1e-5)
            exact = np.sort(vectors[np.asarray(scope or rids) - 1] @ query)[::-1][:25]
            np.testing.assert_allclose(got.scores, exact, atol=1e-5)
        asked = candidates[:20] + [9999]
        np.testing.assert_allclose(index.passage_scores(query, asked), faiss_index.passage_scores(query, asked),
                                   atol=2e-3)
        assert index.passage_scores(query, asked)[-1] == -np.inf
    np.testing.assert_allclose(index.vector(17), vectors[16], atol=1e-7)


def test_a_one_percent_filter_returns_k_exact_rows_past_an_hnsw_index(postgres_url):
    """With an HNSW index and a planner pushed towards it (no sequential scans, no sorts), the
    plain `ORDER BY embedding <#> q` query loses the filtered rows; the index's own query may not."""
    vectors = clustered(3000, 32, seed=5)
    hostile = make_conninfo(postgres_url, options="-c enable_seqscan=off -c enable_sort=off")
    pool = make_pool(hostile, min_size=1, max_size=2)
    try:
        rids = fill(pool, vectors, model=Model("test/clustered-32", 32))
        with pool.connection() as conn:
            conn.execute("CREATE INDEX vectors_hnsw ON vectors USING hnsw (embedding vector_ip_ops)")
            conn.execute("ANALYZE vectors")
        candidates = sorted(np.random.default_rng(6).choice(rids, size=30, replace=False).tolist())  # 1%
        query = clustered(1, 32, seed=7)[0]
        with pool.connection() as conn:
            trapped = conn.execute("SELECT rid FROM vectors WHERE rid = ANY(%s::bigint[]) "
                                   "ORDER BY embedding <#> %s LIMIT 10", [candidates, query]).fetchall()
        assert len(trapped) < 10  # the trap is real here: HNSW returned its 40 nearest, few of them candidates
        ranking = PgVectorIndex(pool, embedder=Model("test/clustered-32", 32), passages=None).rank(
            query, 10, rids=candidates)
        exact = sorted(candidates, key=lambda r: -float(vectors[r - 1] @ query))[:10]
        assert ranking.ids.tolist() == exact
    finally:
        pool.close()


def test_hnsw_is_an_opt_in_for_unfiltered_search_and_filters_stay_exact(pool):
    vectors = clustered(3000, 32, seed=11)
    rids = fill(pool, vectors, model=Model("test/clustered-32", 32))
    approximate = PgVectorIndex(pool, embedder=Model("test/clustered-32", 32), passages=None, ef_search=400)
    exact = PgVectorIndex(pool, embedder=Model("test/clustered-32", 32), passages=None)
    queries = clustered(20, 32, seed=12)
    for query in queries[:3]:  # no HNSW index yet: the opt-in changes nothing
        assert approximate.rank(query, 10).ids.tolist() == exact.rank(query, 10).ids.tolist()
    assert build_hnsw(pool) and not build_hnsw(pool)  # built once
    with pool.connection() as conn:
        conn.execute("ANALYZE vectors")
        assert hnsw_state(conn) is True
    recall = []
    for query in queries:
        got, want = approximate.rank(query, 50), exact.rank(query, 50)
        assert len(got.ids) == 50 and list(got.scores) == sorted(got.scores, reverse=True)
        np.testing.assert_allclose(got.scores, vectors[got.ids - 1] @ query, atol=1e-5)  # exact scores
        recall.append(len(set(got.ids.tolist()) & set(want.ids.tolist())) / 50)
    assert np.mean(recall) >= 0.9, recall
    candidates = sorted(np.random.default_rng(13).choice(rids, size=30, replace=False).tolist())
    for query in queries[:5]:  # a filter is never answered through HNSW
        assert approximate.rank(query, 10, rids=candidates).ids.tolist() == \
            exact.rank(query, 10, rids=candidates).ids.tolist()


def test_the_maintenance_builds_the_hnsw_index_only_when_opted_in_and_large(pool, rows, monkeypatch):
    monkeypatch.setattr("search.indexing_pg.HNSW_MIN_ROWS", len(SAMPLE))
    store_practices(rows, practices(), indexer=maintenance(pool, rows))
    with pool.connection() as conn:
        assert hnsw_state(conn) is None  # not opted in
    embedder = FakeEmbedder()
    work = PgIndexMaintenance(rows, PgVectorIndex(pool, embedder=embedder, passages=PASSAGE_SCHEME, ef_search=100),
                              embedder)
    monkeypatch.setattr("search.indexing_pg.HNSW_MIN_ROWS", len(SAMPLE) + 1)
    work.sync()
    with pool.connection() as conn:
        assert hnsw_state(conn) is None  # too few practices
    monkeypatch.setattr("search.indexing_pg.HNSW_MIN_ROWS", len(SAMPLE))
    work.sync()
    with pool.connection() as conn:
        assert hnsw_state(conn) is True
    assert work.check().ok


def test_the_stored_model_must_be_the_configured_one(pool):
    with pytest.raises(IndexMissing, match="nog geen zoekindex"):
        len(PgVectorIndex(pool, embedder=Model(), passages=None))
    fill(pool, clustered(5, DIM, seed=8), model=Model())
    other = Model("test/other-model", 32)
    with pytest.raises(IndexOutOfDate) as refused:
        PgVectorIndex(pool, embedder=other, passages=None).rank(np.ones(32, np.float32), 3)
    with pytest.raises(IndexOutOfDate) as from_file:  # the FAISS file's message, word for word
        verify_stamp(IndexStamp(embedder=Model().name, dim=DIM), other, None)
    assert str(refused.value) == str(from_file.value)
    assert "praktijkbank reindex" in str(refused.value)
    with pytest.raises(IndexOutOfDate, match="zonder zinsvectoren"):
        assert PgVectorIndex(pool, embedder=Model(), passages=PASSAGE_SCHEME).has_passages
    assert not PgVectorIndex(pool, embedder=other, passages=None).loads()
    assert len(PgVectorIndex(pool, embedder=Model(), passages=None)) == 5


# -- the maintenance ----------------------------------------------------------------------------


@pytest.fixture
def rows(pool) -> SqlRowStore:
    return SqlRowStore(pool)


def maintenance(pool: Any, store: SqlRowStore, embedder: Any = None) -> PgIndexMaintenance:
    embedder = embedder or FakeEmbedder()
    return PgIndexMaintenance(store, PgVectorIndex(pool, embedder=embedder, passages=PASSAGE_SCHEME), embedder)


def practices(status: str = "published") -> list:
    return [parse_practice({**item, "status": status}) for item in SAMPLE]


def stored_vectors(pool: Any) -> dict[int, tuple[str, np.ndarray]]:
    with pool.connection() as conn:
        return {rid: (h, e.to_numpy()) for rid, h, e in
                conn.execute("SELECT rid, content_hash, embedding FROM vectors").fetchall()}


def test_ingest_writes_each_vector_with_its_row(pool, rows):
    work = maintenance(pool, rows)
    result = store_practices(rows, practices(), indexer=work)
    assert len(result.added) == len(SAMPLE)
    found = stored_vectors(pool)
    entries = {e.rid: e.content_hash for e in rows.index_entries()}
    assert {rid: h for rid, (h, _) in found.items()} == entries
    texts = rows.get_many(entries)
    for rid, (_, vector) in found.items():
        np.testing.assert_allclose(vector, FakeEmbedder().encode_documents([texts[rid].search_text()])[0], atol=1e-6)
    assert work.check().ok and work.drift().ok
    hits = work.index.search(FakeEmbedder().encode_queries(["taalcafé bibliotheek nieuwkomers"])[0], 1)
    assert texts[hits[0][0]].id == "taalcafe-gent"
    assert work.index.has_passages and np.isfinite(work.index.passage_scores(found[hits[0][0]][1], [hits[0][0]])).all()


def test_a_crash_inside_the_write_transaction_leaves_neither_row_nor_vector(pool, rows):
    seen: dict[str, int] = {}

    class Crashing(PgIndexMaintenance):
        def stage(self, store: Any, prepared: Any) -> None:
            super().stage(store, prepared)
            inside = store.write_connection().execute("SELECT count(*) FROM vectors").fetchone()[0]
            with pool.connection() as other:
                outside = other.execute("SELECT count(*) FROM vectors").fetchone()[0]
            seen.update(inside=inside, outside=outside)
            raise RuntimeError("killed after the upsert")

    work = Crashing(rows, PgVectorIndex(pool, embedder=FakeEmbedder(), passages=None), FakeEmbedder())
    with pytest.raises(RuntimeError, match="killed"):
        store_practices(rows, practices(), indexer=work)
    assert seen == {"inside": len(SAMPLE), "outside": 0}  # written in the transaction, not visible outside
    with pool.connection() as conn:
        assert conn.execute("SELECT (SELECT count(*) FROM practices), (SELECT count(*) FROM vectors), "
                            "(SELECT count(*) FROM passages)").fetchone() == (0, 0, 0)


def test_check_finds_content_changed_behind_its_back_and_repair_embeds_it(pool, rows):
    work = maintenance(pool, rows)
    store_practices(rows, practices(), indexer=work)
    rid = rows.rid_of("digipunt-kortrijk")
    changed = rows.get_many([rid])[rid].model_copy(update={"summary": "Hulp bij het invullen van belastingpapieren."})
    values = row_values(changed)
    with pool.connection() as conn:  # another tool writes the row without the maintenance
        conn.execute("UPDATE practices SET summary = %s, content_hash = %s WHERE rid = %s",
                     [values["summary"], values["content_hash"], rid])
    report = work.check()
    assert not report.ok and report.drift is not None and report.drift.stale == [rid]
    assert "zoekindex: 0 ontbrekend, 0 te veel, 1 verouderd" in report.problems
    repaired = work.repair()
    assert repaired.added == 1 and work.check().ok
    hashed, vector = stored_vectors(pool)[rid]
    assert hashed == changed.content_hash()
    np.testing.assert_allclose(vector, FakeEmbedder().encode_documents([changed.search_text()])[0], atol=1e-6)


def test_unpublished_and_deleted_practices_lose_their_vectors(pool, rows):
    work = maintenance(pool, rows)
    store_practices(rows, practices(), indexer=work)
    gone, archived = rows.rid_of("jeugdhuis-brussel"), rows.rid_of("taalcafe-gent")
    rows.delete("jeugdhuis-brussel")
    work.after_delete()
    store_practices(rows, [p for p in practices("archived") if p.id == "taalcafe-gent"], indexer=work)
    held = stored_vectors(pool)
    assert gone not in held and archived not in held and len(held) == len(SAMPLE) - 2
    with pool.connection() as conn:
        assert conn.execute("SELECT count(*) FROM passages WHERE rid = ANY(%s::bigint[])",
                            [[gone, archived]]).fetchone()[0] == 0
    assert work.check().ok


def test_a_vector_left_on_an_unpublished_row_is_extra_until_repaired(pool, rows):
    work = maintenance(pool, rows)
    store_practices(rows, practices(), indexer=work)
    rid = rows.rid_of("digipunt-kortrijk")
    with pool.connection() as conn:  # unpublished past the maintenance
        conn.execute("UPDATE practices SET status = 'archived' WHERE rid = %s", [rid])
    report = work.check()
    assert report.drift is not None and report.drift.extra == [rid] and not report.ok
    assert work.repair().removed == 1
    assert rid not in stored_vectors(pool) and work.check().ok


def test_sync_embeds_what_lags_and_a_new_model_needs_a_reindex(pool, rows):
    rows.upsert_many(practices())  # written without the maintenance: nothing embedded
    work = maintenance(pool, rows)
    assert not work.index.loads()
    report = work.sync()
    assert (report.added, report.total) == (len(SAMPLE), len(SAMPLE)) and work.check().ok
    assert work.sync().added == 0

    class SmallModel(FakeEmbedder):
        name, dim = "fake/hashed-words-32", 32

    moved = maintenance(pool, rows, SmallModel())
    with pytest.raises(IndexOutOfDate, match="fake/hashed-words-64"):
        moved.sync()
    assert "zoekindex" in " ".join(moved.check().problems)
    report = moved.reindex()
    assert report.added == len(SAMPLE) and moved.check().ok
    assert {len(v) for _, v in stored_vectors(pool).values()} == {32}


def test_a_server_start_repairs_in_the_background(pool, rows):
    rows.upsert_many(practices())
    work = maintenance(pool, rows)
    background = work.repair_in_background()
    assert background.wait(timeout=60)
    assert background.error is None and work.check().ok and not work.rebuilding


def test_a_reindex_and_concurrent_writes_neither_deadlock_nor_lose_a_vector(pool, rows):
    """Sync batches lock the version row first and skip rows a writer holds: writes that land
    during a reindex keep their own vectors, and nothing waits on the other for good."""
    work = maintenance(pool, rows)
    store_practices(rows, practices(), indexer=work)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for n in range(8):
                # against the rid order in which a sync batch takes its rows
                edited = [p.model_copy(update={"summary": f"{p.summary} Versie {n}."}) for p in practices()[3::-1]]
                store_practices(rows, edited, indexer=work)
        except BaseException as e:  # reported below, in the test's own thread
            errors.append(e)

    writer = threading.Thread(target=write)
    writer.start()
    rounds = 0
    while writer.is_alive() and rounds < 500:
        work.reindex()
        rounds += 1
    writer.join(timeout=120)
    assert not writer.is_alive() and errors == []
    assert work.check().ok
    final = rows.get_many([rows.rid_of(practices()[0].id)])
    (rid, practice), = final.items()
    np.testing.assert_allclose(stored_vectors(pool)[rid][1],
                               FakeEmbedder().encode_documents([practice.search_text()])[0], atol=1e-6)
