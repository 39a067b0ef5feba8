"""The vector index on PostgreSQL + pgvector: the `vectors` and `passages` tables, exactly scanned.

Every score is exact. A search orders by `(embedding <#> q) + 0`: pgvector's HNSW index can
only serve `ORDER BY embedding <#> q` itself, so the `+ 0` keeps the planner from taking one
(through an HNSW index a 1%-selective filter returns too few rows; ../shared/design/postgres.md).
Under a filter the scan covers the candidate rids only (`rid = ANY(...)`, the primary key).

Approximate search is an opt-in for large catalogues, as the FAISS IVF is on SQLite: with
`ef_search` > 0 (PRAKTIJKBANK_HNSW_EF_SEARCH) the maintenance builds an HNSW index once the
catalogue holds HNSW_MIN_ROWS vectors, and an *unfiltered* search orders by `embedding <#> q`
through it, with iterative scans (`relaxed_order`, re-sorted here) so it always returns k rows.
A filtered search stays exact over its candidates.

The tables hold one vector per published practice with the content hash it was embedded from,
and, when configured, a half-precision vector per sentence: the maintenance writes and deletes
them in the transaction that publishes, changes or unpublishes the practice, so a scan needs no
join with `practices` (a join that, with stale planner statistics, cost a nested loop per row).
A vector left on an unpublished row by a write past the maintenance is `extra` to its check. `meta` records the model, its
dimension and the sentence scheme (`record_model`); reads refuse a database whose vectors were
made by another model with the same messages as the FAISS file. Writes are the maintenance's
(search/indexing_pg.py); this module only reads, plus the helpers that write within a caller's
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from catalogue.errors import IndexMissing
from catalogue.postgres.schema import get_meta, set_meta, set_vector_model
from search.fusion import Ranking
from search.index import IndexStamp, Model, verify_stamp

MODEL_KEY, DIM_KEY = "vector_model", "vector_dim"  # as catalogue.postgres.schema.set_vector_model writes them
PASSAGES_KEY = "vector_passages"  # meta: the sentence-vector scheme of the stored vectors, '' for none
HNSW_INDEX = "vectors_embedding_hnsw"
# The HNSW index serves catalogues of at least this many practices (FAISS's IVF_MIN_ROWS): below it
# an exact scan is fast enough and exact.
HNSW_MIN_ROWS = 20_000


def stored_model(conn: Any) -> IndexStamp | None:
    """Model, dimension and sentence scheme of the stored vectors (no entries); None before the first build."""
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key = ANY(%s::text[])",
                             [[MODEL_KEY, DIM_KEY, PASSAGES_KEY]]).fetchall())
    if MODEL_KEY not in meta or DIM_KEY not in meta:
        return None
    return IndexStamp(embedder=meta[MODEL_KEY], dim=int(meta[DIM_KEY]), passages=meta.get(PASSAGES_KEY) or None)


def record_model(conn: Any, embedder: Model, passages: str | None, *, reset: bool = False) -> None:
    """Type the vector columns for the embedder and record it with the sentence scheme, in the
    caller's transaction. A database holding another model's vectors raises unless `reset`
    (which deletes them); a change of sentence scheme drops the sentence vectors it no longer wants."""
    set_vector_model(conn, model=embedder.name, dim=embedder.dim, reset=reset)
    if (get_meta(conn, PASSAGES_KEY) or None) != passages:
        conn.execute("DELETE FROM passages")
        set_meta(conn, PASSAGES_KEY, passages or "")


def write_vectors(conn: Any, rows: Sequence[tuple[int, str, np.ndarray]],
                  passages: Sequence[np.ndarray] | None = None) -> None:
    """Insert or replace (rid, content hash, vector) rows and their sentence vectors, in the
    caller's transaction; `passages` holds one (sentences x dim) matrix per row when given."""
    if not rows:
        return
    rids = [int(rid) for rid, _, _ in rows]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO vectors (rid, content_hash, embedding) VALUES (%s, %s, %s) "
            "ON CONFLICT (rid) DO UPDATE SET content_hash = excluded.content_hash, embedding = excluded.embedding",
            [(int(rid), h, np.asarray(v, dtype=np.float32)) for rid, h, v in rows])
        cur.execute("DELETE FROM passages WHERE rid = ANY(%s::bigint[])", [rids])
        if passages is not None:
            from pgvector import HalfVector

            cur.executemany(
                "INSERT INTO passages (rid, n, embedding) VALUES (%s, %s, %s)",
                [(rid, n, HalfVector(np.asarray(vector, dtype=np.float32)))
                 for rid, matrix in zip(rids, passages, strict=True) for n, vector in enumerate(matrix)])


def hnsw_state(conn: Any) -> bool | None:
    """None without an HNSW index on the vectors; else whether it is valid (a build that was
    interrupted leaves an invalid one, which the planner ignores)."""
    row = conn.execute("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(%s)",
                       [HNSW_INDEX]).fetchone()
    return None if row is None else bool(row[0])


def build_hnsw(pool: Any) -> bool:
    """Build the HNSW index on the document vectors (inner product) unless a valid one exists;
    CONCURRENTLY, so searches and writes go on meanwhile. An invalid leftover is dropped first.
    Returns whether it built one."""
    with pool.connection() as conn:
        state = hnsw_state(conn)
        if state:
            return False
        conn.commit()
        conn.autocommit = True
        try:
            if state is False:
                conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {HNSW_INDEX}")
            # The graph of 100k x 896 dimensions needs about 1 GB; with less, the build spills and
            # takes many times as long.
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {HNSW_INDEX} "
                         "ON vectors USING hnsw (embedding vector_ip_ops)")
        finally:
            conn.execute("RESET maintenance_work_mem")
            conn.autocommit = False
    return True


def delete_vectors(conn: Any, rids: Sequence[int]) -> None:
    """Remove the vectors and sentence vectors of these rids, in the caller's transaction."""
    if rids:
        ids = [int(r) for r in rids]
        conn.execute("DELETE FROM passages WHERE rid = ANY(%s::bigint[])", [ids])
        conn.execute("DELETE FROM vectors WHERE rid = ANY(%s::bigint[])", [ids])


class PgVectorIndex:
    """VectorIndex over the `vectors` and `passages` tables, checked against an embedder.

    `pool` is a psycopg_pool.ConnectionPool with pgvector's adapters (catalogue/postgres/connection.py);
    `passages` is the sentence-vector scheme the index must hold, or None.
    """

    def __init__(self, pool: Any, *, embedder: Model, passages: str | None, ef_search: int = 0) -> None:
        self.pool = pool
        self.embedder = embedder
        self.passages = passages
        # 0: exact. Above 0, unfiltered searches go through the HNSW index once it exists.
        self.ef_search = ef_search

    # -- the model check ------------------------------------------------------------------

    def _checked(self, conn: Any) -> IndexStamp:
        """The stored model (no entries), verified against the configured embedder and scheme."""
        stamp = stored_model(conn)
        if stamp is None:
            raise IndexMissing("Er is nog geen zoekindex. Maak er een met 'praktijkbank reindex'.")
        verify_stamp(stamp, self.embedder, self.passages)
        return stamp

    def verify(self) -> None:
        """Raise IndexOutOfDate (IndexMissing before the first build) when the stored vectors do
        not fit the configured embedder and sentence scheme."""
        with self.pool.connection() as conn:
            self._checked(conn)

    def loads(self) -> bool:
        """Whether the stored vectors fit the embedder (an empty index does)."""
        from catalogue.errors import IndexOutOfDate

        try:
            self.verify()
        except IndexOutOfDate:
            return False
        return True

    # -- VectorIndex ------------------------------------------------------------------------

    @property
    def stamp(self) -> IndexStamp:
        with self.pool.connection() as conn:
            stamp = self._checked(conn)
            stamp.entries = dict(conn.execute("SELECT rid, content_hash FROM vectors").fetchall())
        return stamp

    @property
    def has_passages(self) -> bool:
        self.verify()
        return self.passages is not None

    def __len__(self) -> int:
        with self.pool.connection() as conn:
            self._checked(conn)
            return int(conn.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def search(self, query: np.ndarray, k: int, *, rids: Sequence[int] | None = None) -> list[tuple[int, float]]:
        """Top-k (rid, cosine) by inner product, restricted to rids when given (never post-filtered)."""
        return self.rank(query, k, rids=rids).pairs()

    def rank(self, query: np.ndarray, k: int, *, rids: Sequence[int] | None = None) -> Ranking:
        """Top-k over every vector (approximate through HNSW when opted in and built), or exactly
        over the candidate rids, best first."""
        if k <= 0 or (rids is not None and len(rids) == 0):
            with self.pool.connection() as conn:
                self._checked(conn)
            return Ranking.empty()
        params: dict[str, Any] = {"q": _query(query), "k": int(k)}
        where = ""
        if rids is not None:
            where = "WHERE rid = ANY(%(rids)s::bigint[])"
            params["rids"] = np.asarray(rids, dtype=np.int64).tolist()
        with self.pool.connection() as conn:
            self._checked(conn)
            if rids is None and self.ef_search > 0 and hnsw_state(conn):
                rows = self._approximate(conn, params)
            else:
                rows = conn.execute(
                    f"SELECT rid, (embedding <#> %(q)s) + 0 AS distance FROM vectors {where} "
                    "ORDER BY distance, rid LIMIT %(k)s", params).fetchall()
        if not rows:
            return Ranking.empty()
        ids, distances = zip(*rows, strict=True)
        return Ranking(np.array(ids, dtype=np.int64), -np.array(distances, dtype=np.float64))

    def _approximate(self, conn: Any, params: dict[str, Any]) -> list[tuple[int, float]]:
        """The k nearest through the HNSW index, its candidate list (ef_search) at least k long
        (pgvector's maximum is 1000). Iterative scans keep going until k rows are found;
        `relaxed_order` may return them slightly out of order, so they are sorted here. The
        settings are read back: set before pgvector is loaded, an unknown value only warns."""
        with conn.transaction():
            conn.execute("SELECT NULL::vector")  # loads pgvector, so its settings exist
            _, scan = conn.execute(
                "SELECT set_config('hnsw.ef_search', %s, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)",
                [str(min(max(self.ef_search, int(params["k"])), 1000))]).fetchone()
            if scan != "relaxed_order":
                raise RuntimeError(f"pgvector accepted hnsw.iterative_scan = {scan!r}, not relaxed_order")
            rows = conn.execute("SELECT rid, embedding <#> %(q)s AS distance FROM vectors "
                                "ORDER BY embedding <#> %(q)s LIMIT %(k)s", params).fetchall()
        return sorted(((int(rid), float(d)) for rid, d in rows), key=lambda row: (row[1], row[0]))

    def passage_scores(self, query: np.ndarray, rids: Sequence[int] | np.ndarray) -> np.ndarray:
        """For each rid, the best inner product of the query with one of its sentences (-inf without).

        The half-precision sentence vectors are widened to float32 before the product, as the
        FAISS index decodes them, so both backends score the same rounded values.
        """
        wanted = np.asarray(rids, dtype=np.int64)
        out = np.full(len(wanted), -np.inf, dtype=np.float32)
        with self.pool.connection() as conn:
            self._checked(conn)
            if self.passages is None or not len(wanted):
                return out
            rows = conn.execute(
                "SELECT rid, min(embedding::vector <#> %s) FROM passages "
                "WHERE rid = ANY(%s::bigint[]) GROUP BY rid", [_query(query), wanted.tolist()]).fetchall()
        best = {int(rid): -float(distance) for rid, distance in rows}
        for i, rid in enumerate(wanted.tolist()):
            if rid in best:
                out[i] = best[rid]
        return out

    def vector(self, rid: int) -> np.ndarray | None:
        with self.pool.connection() as conn:
            self._checked(conn)
            row = conn.execute("SELECT embedding FROM vectors WHERE rid = %s", [int(rid)]).fetchone()
        return None if row is None else np.asarray(row[0].to_numpy(), dtype=np.float32)

    def passage_vectors(self, rid: int) -> np.ndarray | None:
        """The half-precision sentence vectors of a practice widened to float32, by sentence number."""
        with self.pool.connection() as conn:
            self._checked(conn)
            if self.passages is None:
                return None
            rows = conn.execute("SELECT embedding FROM passages WHERE rid = %s ORDER BY n", [int(rid)]).fetchall()
        if not rows:
            return None
        return np.stack([np.asarray(row[0].to_numpy(), dtype=np.float32) for row in rows])


def _query(query: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
