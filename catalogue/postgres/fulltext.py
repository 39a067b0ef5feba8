"""The PostgreSQL catalogue's keyword side: BM25 over the stored postings, idf statistics, words.

The app's own analysis is stored (`terms`: a practice's stems with their column-weighted
frequency; `doclen`: its length in tokens), because PostgreSQL's `dutch` stemmer is not the
app's and `ts_rank_cd` is not BM25. Searches are answered from the in-memory postings
(catalogue/lexicon.py, `Lexicon.from_postings`), a read view rebuilt in a background thread
when the catalogue version moves; meanwhile, and inside a write transaction, the same BM25 is
computed in SQL over `terms` (the same k1, b and idf floor: scores equal to about 1e-15).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from catalogue import analysis
from catalogue.lexicon import IDF_FLOOR, K1, B, Lexicon, fts_tokens
from catalogue.postgres import rows as pgrows
from catalogue.postgres.schema import get_meta, set_meta
from catalogue.store import Filters
from catalogue.text import word_counts
from catalogue.views import BackgroundView, View

if TYPE_CHECKING:
    from catalogue.postgres.store import PostgresStore

_log = logging.getLogger(__name__)
# pg_advisory_xact_lock key of a re-analysis: 'pbreanal' in ASCII.
_REANALYSE_LOCK = int.from_bytes(b"pbreanal", "big") - (1 << 63)

# FTS5's bm25() over the stored postings. %(terms)s and %(weights)s are parallel arrays (one
# entry per distinct term); {scope} keeps the scored rows to the candidates. The arithmetic
# follows Lexicon._scored and Lexicon.search step by step (a posting's score is
# idf * (f * (k1 + 1)) / (f + k1 * (1 - b + b * len / avg)), scaled by the term's weight, and a
# row's terms are added in query order), so rows that tie there tie here too.
_BM25 = f"""
WITH q AS (SELECT * FROM unnest(%(terms)s::text[], %(weights)s::float8[]) WITH ORDINALITY AS q(term, weight, ord)),
stats AS (SELECT count(*)::float8 AS n, coalesce(avg(len::float8), 1) AS avgdl FROM doclen),
df AS (SELECT t.term, count(*)::float8 AS df FROM terms t JOIN q USING (term) GROUP BY t.term),
idf AS (SELECT df.term, ln((stats.n - df.df + 0.5) / (df.df + 0.5)) AS raw FROM df, stats)
SELECT t.rid, sum(q.weight * ((CASE WHEN idf.raw > 0 THEN idf.raw ELSE {IDF_FLOOR!r} END) * (t.wtf * {K1 + 1!r})
                  / (t.wtf + {K1!r} * (1 - {B!r} + {B!r} * d.len / stats.avgdl))) ORDER BY q.ord) AS score
FROM terms t JOIN q USING (term) JOIN idf USING (term) JOIN doclen d ON d.rid = t.rid CROSS JOIN stats
{{scope}}
GROUP BY t.rid ORDER BY score DESC, t.rid LIMIT %(limit)s
"""

# Rows of a binary COPY of NOT NULL fixed-size columns: a field count, then length and value of
# each field, all big-endian (PostgreSQL's COPY BINARY format).
_DOCLEN = np.dtype([("fields", ">i2"), ("n1", ">i4"), ("rid", ">i8"), ("n2", ">i4"), ("len", ">i4")])
_POSTING = np.dtype([("fields", ">i2"), ("n1", ">i4"), ("rid", ">i8"), ("n2", ">i4"), ("wtf", ">f8")])
_COPY_HEADER = 19  # signature (11 bytes), flags, header extension length
_COPY_TRAILER = 2


def _copy_binary(conn: Any, query: str, dtype: np.dtype) -> np.ndarray:
    """The rows of `query` as a structured array, read with one binary COPY (no Python object per
    value: 5 million postings at 100k practices)."""
    chunks: list[bytes] = []
    with conn.cursor() as cur, cur.copy(f"COPY ({query}) TO STDOUT (FORMAT BINARY)") as copy:
        for data in copy:
            chunks.append(bytes(data))
    body = b"".join(chunks)[_COPY_HEADER:-_COPY_TRAILER]
    if len(body) % dtype.itemsize:
        raise ValueError(f"COPY BINARY: {len(body)} bytes are no whole number of {dtype.itemsize}-byte rows")
    return np.frombuffer(body, dtype=dtype)


def query_tokens(terms: Sequence[str]) -> list[str]:
    """The distinct stored tokens of analysed query terms.

    A term FTS5 would split (an underscore inside a word) is a phrase there; the stored postings
    have no positions, so here it counts as its separate tokens.
    """
    return list(dict.fromkeys(tok for term in terms for tok in fts_tokens(term)))


class PostgresFullText:
    """BM25, rebuilds and word statistics of one PostgreSQL store."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store
        self.lexicon: BackgroundView[Lexicon] = BackgroundView(store.version, self._load_lexicon,
                                                               name="praktijkbank-lexicon")
        self.words: View[dict[str, int]] = View(store.version, self._load_words)

    def _load_lexicon(self, version: int) -> Lexicon | None:
        """The stored postings read in one snapshot taken after `version` was seen."""
        try:
            with self.store.sessions.snapshot() as conn:
                statuses = {int(rid): status for status, rids in conn.execute(
                    "SELECT status, array_agg(rid) FROM practices GROUP BY status").fetchall() for rid in rids}
                lengths = _copy_binary(conn, "SELECT rid, len FROM doclen ORDER BY rid", _DOCLEN)
                grouped = conn.execute("SELECT term, count(*) FROM terms GROUP BY term ORDER BY term").fetchall()
                postings = _copy_binary(conn, "SELECT rid, wtf FROM terms ORDER BY term, rid", _POSTING)
        except Exception:  # the SQL BM25 keeps answering; logged for the operator
            _log.warning("BM25-postings niet opgebouwd; PostgreSQL antwoordt zelf", exc_info=True)
            return None
        return Lexicon.from_postings(version, lengths["rid"], lengths["len"], statuses,
                                     [t for t, _ in grouped], [n for _, n in grouped],
                                     postings["rid"], postings["wtf"])

    def _load_words(self, version: int) -> dict[str, int]:
        rows = self.store.sessions.execute(
            "SELECT title, summary, coalesce(description, ''), organisation, coalesce(municipality, ''), "
            "target_groups::text, themes::text FROM practices WHERE status = 'published'")
        return word_counts(" ".join(row) for row in rows)

    def current_lexicon(self) -> Lexicon | None:
        """The BM25 postings of the committed data, or None: then SQL answers."""
        if self.store.sessions.in_transaction():
            return None
        return self.lexicon.get()

    def is_warm(self) -> bool:
        return self.lexicon.fresh()

    def warm(self) -> None:
        self.lexicon.build_now()

    # -- reads ----------------------------------------------------------------------------

    def word_counts(self) -> dict[str, int]:
        return self.words.get()

    def term_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(rows with postings, rows holding each term): the terms' idf statistics."""
        lexicon = self.current_lexicon()
        if lexicon is not None and lexicon.answers(terms):
            return len(lexicon.rids), lexicon.doc_freqs(terms)
        sessions = self.store.sessions
        with sessions.connection() as conn:
            n_rows = int(conn.execute("SELECT count(*) FROM doclen").fetchone()[0])
            found = {}
            for term in terms:
                tokens = query_tokens([term])
                found[term] = int(conn.execute(
                    "SELECT count(*) FROM (SELECT rid FROM terms WHERE term = ANY(%s) GROUP BY rid "
                    "HAVING count(*) = %s) AS holding", [tokens, len(tokens)]).fetchone()[0]) if tokens else 0
        return n_rows, found

    def fts_scores(self, terms: Sequence[str], filters: Filters, *, limit: int,
                   rids: Sequence[int] | None = None,
                   weights: Mapping[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of the practices holding any of the (analysed) terms, best first (ties by rid).

        `rids`, when given, are the candidates the caller already resolved from `filters`;
        `weights` scale a term's contribution (1 when absent), in memory and in SQL alike.
        """
        if not terms:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        lexicon = self.current_lexicon()
        if lexicon is not None and lexicon.answers(terms):
            if rids is None and not filters.is_empty:
                rids = self.store.filter_rids(filters)
            return lexicon.search(list(terms), lexicon.allowed(rids=rids, statuses=filters.status), limit, weights)
        token_weights: dict[str, float] = {}
        for term in dict.fromkeys(terms):
            for token in query_tokens([term]):
                token_weights.setdefault(token, 1.0 if weights is None else weights.get(term, 1.0))
        scope, params = self._scope(filters, rids)
        params.update(terms=list(token_weights), weights=list(token_weights.values()), limit=limit)
        found = self.store.sessions.execute(_BM25.format(scope=scope), params)
        return (np.array([r for r, _ in found], dtype=np.int64),
                np.array([s for _, s in found], dtype=np.float64))

    def _scope(self, filters: Filters, rids: Sequence[int] | None) -> tuple[str, dict[str, Any]]:
        if rids is not None:
            return "WHERE t.rid = ANY(%(rids)s)", {"rids": [int(r) for r in rids]}
        if filters.is_empty and not filters.status:
            return "", {}
        if filters.is_empty:
            return ("WHERE t.rid IN (SELECT rid FROM practices WHERE status = ANY(%(status)s))",
                    {"status": list(filters.status)})
        return "WHERE t.rid = ANY(%(rids)s)", {"rids": self.store.filter_rids(filters)}

    def rowids(self) -> list[int]:
        return [r[0] for r in self.store.sessions.execute("SELECT rid FROM doclen ORDER BY rid")]

    # -- rebuilds -------------------------------------------------------------------------

    def rebuild(self) -> int:
        """Analyse every readable practice again and store its postings, with this analyzer."""
        store = self.store
        with store.sessions.transaction() as conn:
            conn.execute("DELETE FROM terms")
            conn.execute("DELETE FROM doclen")
            readable = list(store.readable_rows())
            for start in range(0, len(readable), 1000):
                write_postings(conn, readable[start:start + 1000])
            set_meta(conn, "analyzer", analysis.current().config.version)
        return len(readable)

    def rebuild_if_reanalysed(self) -> None:
        """Postings made by another analyzer version are made again with this one (once, whichever
        server opens the catalogue first)."""
        current = analysis.current().config.version
        with self.store.sessions.connection() as conn:
            stored = get_meta(conn, "analyzer")
        if stored == current:
            return
        if (reason := self.store.read_only_reason()) is not None:  # still serves reads
            _log.warning("termen gemaakt met analyzer %s, niet %s; niet opnieuw geanalyseerd: %s",
                         stored, current, reason)
            return
        with self.store.sessions.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [_REANALYSE_LOCK])
            if get_meta(conn, "analyzer") != current:
                self.rebuild()

    def clear(self) -> None:
        self.lexicon.clear()
        self.words.clear()


def write_postings(conn: Any, items: Sequence[tuple[int, Any]]) -> None:
    """Store the practices' postings and lengths with COPY (their old ones must be gone)."""
    lengths: list[tuple[int, int]] = []
    with conn.cursor() as cur, cur.copy("COPY terms (rid, term, wtf) FROM STDIN") as copy:
        for rid, practice in items:
            pairs, length = pgrows.postings(practice)
            for term, wtf in pairs:
                copy.write_row((rid, term, wtf))
            lengths.append((rid, length))
    with conn.cursor() as cur, cur.copy("COPY doclen (rid, len) FROM STDIN") as copy:
        for row in lengths:
            copy.write_row(row)
