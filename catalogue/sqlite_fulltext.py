"""The SQLite catalogue's keyword side: BM25 over the FTS5 table, its idf statistics and the
speller's vocabulary.

BM25 comes from the in-memory postings (catalogue/lexicon.py), a read view rebuilt in the
background after each change; meanwhile, and inside write transactions, FTS5's own bm25()
answers with the same scores, only slower.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from catalogue import analysis
from catalogue.lexicon import Lexicon
from catalogue.sqlite_schema import FTS_WEIGHTS, SCHEMA_V1, fts_row
from catalogue.store import Filters
from catalogue.text import word_counts
from catalogue.views import BackgroundView, View

if TYPE_CHECKING:
    from catalogue.store_sqlite import SqliteStore

_log = logging.getLogger(__name__)


class SqliteFullText:
    """Full-text search, rebuilds and word statistics of one SQLite store."""

    # BM25 from the in-memory postings instead of FTS5's bm25(): the same scores, measured
    # faster. False runs every lexical query through FTS5 itself.
    use_lexicon: bool = True

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.lexicon: BackgroundView[Lexicon] = BackgroundView(store.data_version, self._load_lexicon,
                                                               name="praktijkbank-lexicon")
        self.words: View[dict[str, int]] = View(store.data_version, self._load_words)

    def _load_lexicon(self, version: int) -> Lexicon | None:
        """The FTS table read in one snapshot taken after `version` was seen."""
        try:
            conn = sqlite3.connect(self.store.path, isolation_level=None, timeout=30)
            try:
                conn.execute("BEGIN")
                lexicon = Lexicon.load(conn, version, FTS_WEIGHTS)
                conn.execute("COMMIT")
            finally:
                conn.close()
        except sqlite3.Error:
            _log.warning("BM25-postings niet opgebouwd; de volledige-tekstindex van SQLite antwoordt",
                         exc_info=True)
            return None
        return lexicon

    def _load_words(self, version: int) -> dict[str, int]:
        rows = self.store.db.execute(
            "SELECT title, summary, coalesce(description, ''), organisation, coalesce(municipality, ''), "
            "target_groups, themes FROM practices WHERE status = 'published'")
        return word_counts(" ".join(row) for row in rows)

    def current_lexicon(self) -> Lexicon | None:
        """The BM25 postings of the committed data, or None: then FTS5 answers."""
        if not self.use_lexicon or self.store.db.conn.in_transaction:
            return None
        return self.lexicon.get()

    def is_warm(self) -> bool:
        return not self.use_lexicon or self.lexicon.fresh()

    def warm(self) -> None:
        if self.use_lexicon:
            self.lexicon.build_now()

    # -- reads ----------------------------------------------------------------------------

    def word_counts(self) -> dict[str, int]:
        """Folded word -> count over the published practices; the same dict while nothing changed."""
        return self.words.get()

    def term_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(rows in the full-text table, rows holding each term): the terms' idf statistics."""
        lexicon = self.current_lexicon()
        if lexicon is not None and lexicon.answers(terms):
            return len(lexicon.rids), lexicon.doc_freqs(terms)
        db = self.store.db
        n_rows = int(db.execute("SELECT count(*) FROM practices_fts").fetchone()[0])
        found = {t: int(db.execute("SELECT count(*) FROM practices_fts WHERE practices_fts MATCH ?",
                                   ['"' + t.replace('"', '""') + '"']).fetchone()[0]) for t in terms}
        return n_rows, found

    def fts_scores(self, terms: Sequence[str], filters: Filters, *, limit: int,
                   rids: Sequence[int] | None = None,
                   weights: Mapping[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of the practices holding any of the (analysed) terms, best first, as (rids, scores).

        `rids`, when given, are the candidates the caller already resolved from `filters`.
        `weights` scale terms in the in-memory postings; while those are rebuilt after a write,
        FTS5 answers with every term at weight 1.
        """
        if not terms:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        lexicon = self.current_lexicon()
        if lexicon is not None and lexicon.answers(terms):
            if rids is None and not filters.is_empty:
                rids = self.store.filter_rids(filters)
            return lexicon.search(list(terms), lexicon.allowed(rids=rids, statuses=filters.status), limit, weights)
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(terms))
        scope, params = self._scope(filters, rids)
        column_weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        sql = (
            f"SELECT rowid, -bm25(practices_fts, {column_weights}) AS score FROM practices_fts "
            f"WHERE practices_fts MATCH ? {scope} ORDER BY score DESC LIMIT ?"
        )
        rows = self.store.db.execute(sql, [match, *params, limit]).fetchall()
        return (np.array([r for r, _ in rows], dtype=np.int64),
                np.array([s for _, s in rows], dtype=np.float64))

    def _scope(self, filters: Filters, rids: Sequence[int] | None) -> tuple[str, list[Any]]:
        """The clause that keeps BM25 to the matching practices (measured in benchmarks/speed.py).

        The unary + keeps the rowid test out of FTS5's index planning. Without it SQLite hands
        FTS5 one `rowid = ?` lookup per candidate, and FTS5 recomputes bm25's document
        frequencies for every lookup: (candidates x postings). Measured at 100k practices:
        24-170 s for one unfiltered query, 0.3-1.3 s with a 1% filter. With it, FTS5 runs one
        MATCH scan and SQLite tests each hit (0.05-0.1 s unfiltered, see BENCHMARKS.md).
        """
        if rids is None and filters.is_empty:
            if not filters.status:
                return "", []
            # Exclude the few practices in other states rather than list every published one:
            # building that list cost 40-60 ms per query at 100k practices.
            marks = ", ".join("?" * len(filters.status))
            return (f"AND +rowid NOT IN (SELECT rid FROM practices WHERE status NOT IN ({marks}))",
                    list(filters.status))
        if rids is None:
            rids = self.store.filter_rids(filters)
        return "AND +rowid IN (SELECT value FROM json_each(?))", [json.dumps([int(r) for r in rids])]

    def rowids(self) -> list[int]:
        return [r[0] for r in self.store.db.execute("SELECT rowid FROM practices_fts ORDER BY rowid")]

    # -- rebuilds -------------------------------------------------------------------------

    def rebuild(self) -> int:
        """Rebuild the full-text table from the practices table, with this analyzer."""
        store, db = self.store, self.store.db
        with store.transaction():
            create_derived_tables(db)
            db.execute("DELETE FROM practices_fts")
            count = 0
            for rid, practice in store.readable_rows():
                db.execute("INSERT INTO practices_fts(rowid, title, summary, body, tags) VALUES (?,?,?,?,?)",
                           [rid, *fts_row(practice)])
                count += 1
            db.execute("INSERT INTO meta(key, value) VALUES ('analyzer', ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       [analysis.current().config.version])
        return count

    def rebuild_if_reanalysed(self) -> None:
        """A full-text table made by another analyzer version is rebuilt with this one."""
        row = self.store.db.execute("SELECT value FROM meta WHERE key = 'analyzer'").fetchone()
        if row is None or row[0] != analysis.current().config.version:
            self.rebuild()

    def clear(self) -> None:
        self.lexicon.clear()
        self.words.clear()


def create_derived_tables(db: Any) -> None:
    """Create the tag and full-text tables when they are missing (a restore of a bad backup)."""
    for statement in SCHEMA_V1.split(";\n"):
        if "practice_tags" in statement or "practices_fts" in statement:
            db.execute(statement)
