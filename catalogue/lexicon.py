"""BM25 over the FTS5 table's terms, held in memory as postings arrays: FTS5's scores, faster.

FTS5's bm25() reads every posting of every query term, twice: once to count the documents
that hold the term (its idf) and once to score them. At 100k practices a common word such as
"samen" has 50k postings, and one filtered query cost 8.7 ms of BM25 (BENCHMARKS.md "Speed").
This view scores every (term, row) posting once when it is built, so a query adds up the
postings of its terms in NumPy, and a filter is a mask.

It reproduces FTS5's bm25() exactly (same k1 and b, same idf floor, same column weights, the
same document length: all tokens of the row, and the same row and token totals over the whole
table), so the ranking does not change; a test compares both on every query of a catalogue.
Like the facet masks, it is derived, read-only and rebuilt whenever the database changed.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, count

import numpy as np

K1 = 1.2  # FTS5's bm25() constants (fts5_aux.c)
B = 0.75
IDF_FLOOR = 1e-6


def idf(n_rows: int, df: int) -> float:
    """FTS5's bm25() idf of a term held by `df` of `n_rows` rows, floored."""
    value = float(np.log((n_rows - df + 0.5) / (df + 0.5)))
    return value if value > 0 else IDF_FLOOR

# FTS5's unicode61 tokenizer keeps letters and digits together and splits on everything else,
# underscores included.
_TOKEN = re.compile(r"[^\W_]+")


def fts_tokens(text: str) -> list[str]:
    """The tokens FTS5's unicode61 tokenizer makes of an already analysed (folded) text.

    Analysed text is stems of \\w+ words joined by spaces, so the only separator left inside a
    stem is the underscore; splitting on white space is the fast path.
    """
    return text.replace("_", " ").split() if text.isascii() else _TOKEN.findall(text)


@dataclass(frozen=True)
class Lexicon:
    """BM25 contribution of every (term, row) posting of the FTS table, grouped by term."""

    version: int
    rids: np.ndarray              # row -> rid
    row_of: np.ndarray            # rid -> row, or -1
    status: np.ndarray            # row -> status code
    status_codes: dict[str, int]
    term_ids: dict[str, int]
    starts: np.ndarray            # term id -> first posting; postings of t: starts[t]:starts[t + 1]
    rows: np.ndarray              # posting -> row
    scores: np.ndarray            # posting -> idf(term) * saturated, length-normalised frequency
    # Row masks by status set: every unfiltered search asks for the published rows.
    _by_status: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, conn: sqlite3.Connection, version: int, weights: Sequence[float]) -> Lexicon:
        """Read the FTS table and the statuses through `conn` and score every posting once."""
        statuses = dict(conn.execute("SELECT rid, status FROM practices"))
        table = conn.execute("SELECT rowid, title, summary, body, tags FROM practices_fts").fetchall()
        n_rows = len(table)
        codes: dict[str, int] = {}
        status = np.array([codes.setdefault(statuses.get(r[0], ""), len(codes)) for r in table], dtype=np.int16)
        rids = np.array([r[0] for r in table], dtype=np.int64)
        # Every token of every column, as (term id, row, column weight), built by C-level loops.
        ids: defaultdict[str, int] = defaultdict(count().__next__)
        term_parts, row_parts, weight_parts = [], [], []
        lengths = np.zeros(n_rows, dtype=np.float64)
        for column, weight in enumerate(weights, start=1):
            per_row = [fts_tokens(r[column] or "") for r in table]
            sizes = np.fromiter(map(len, per_row), dtype=np.int64, count=n_rows)
            lengths += sizes
            tokens = list(chain.from_iterable(per_row))
            term_parts.append(np.fromiter(map(ids.__getitem__, tokens), dtype=np.int64, count=len(tokens)))
            row_parts.append(np.repeat(np.arange(n_rows, dtype=np.int64), sizes))
            weight_parts.append(np.full(len(tokens), weight, dtype=np.float64))
        return cls._scored(version, rids, status, codes, dict(ids), np.concatenate(term_parts),
                           np.concatenate(row_parts), np.concatenate(weight_parts), lengths)

    @classmethod
    def from_postings(cls, version: int, rids: Sequence[int] | np.ndarray, lengths: Sequence[int] | np.ndarray,
                      statuses: Mapping[int, str], terms: Sequence[str], counts: Sequence[int] | np.ndarray,
                      posting_rids: Sequence[int] | np.ndarray, wtfs: Sequence[float] | np.ndarray) -> Lexicon:
        """Score stored postings: the rows `rids` with their lengths (every token of the row,
        unweighted), and the postings grouped by term: `counts[i]` postings of `terms[i]`, each a
        rid and a column-weighted frequency, in that order.

        The PostgreSQL store keeps these in its `terms` and `doclen` tables; given what `load`
        reads from FTS5, the scores are the same.
        """
        rid_array = np.asarray(rids, dtype=np.int64)
        n_rows = len(rid_array)
        codes: dict[str, int] = {}
        status = np.array([codes.setdefault(statuses.get(int(r), ""), len(codes)) for r in rid_array.tolist()],
                          dtype=np.int16)
        row_of = np.full(int(rid_array.max()) + 1 if n_rows else 1, -1, dtype=np.int64)
        row_of[rid_array] = np.arange(n_rows)
        of_rid = np.asarray(posting_rids, dtype=np.int64)
        term_of = np.repeat(np.arange(len(terms), dtype=np.int64), np.asarray(counts, dtype=np.int64))
        rows = np.full(len(of_rid), -1, dtype=np.int64)
        known = (of_rid >= 0) & (of_rid < len(row_of))
        rows[known] = row_of[of_rid[known]]
        keep = rows >= 0  # postings of a rid without a length are no row of the table
        return cls._scored(version, rid_array, status, codes, {t: i for i, t in enumerate(terms)}, term_of[keep],
                           rows[keep], np.asarray(wtfs, dtype=np.float64)[keep],
                           np.asarray(lengths, dtype=np.float64))

    @classmethod
    def _scored(cls, version: int, rids: np.ndarray, status: np.ndarray, codes: dict[str, int],
                term_ids: dict[str, int], term_of_token: np.ndarray, row_of_token: np.ndarray,
                weight_of_token: np.ndarray, lengths: np.ndarray) -> Lexicon:
        """Group (term, row, weight) triples by term and score every posting with FTS5's bm25()."""
        n_rows = len(rids)
        # A (term x row) sparse matrix sums the weights of repeated (term, row) pairs: the
        # column-weighted frequencies, grouped by term, in linear time. (scipy is imported here:
        # it costs 0.2 s, which a server should not spend before it answers.)
        from scipy import sparse

        postings = sparse.csr_matrix((weight_of_token, (term_of_token, row_of_token)),
                                     shape=(len(term_ids), n_rows))
        postings.sum_duplicates()
        starts = postings.indptr.astype(np.int64)
        rows = postings.indices.astype(np.int32)  # 12 bytes per posting with its float64 score
        freqs = postings.data
        per_term = np.diff(starts)
        term_of = np.repeat(np.arange(len(term_ids)), per_term)
        # FTS5's bm25(): idf from the rows holding the term, floored; length over all columns.
        idf = np.log((n_rows - per_term + 0.5) / (per_term + 0.5))
        idf[idf <= 0] = IDF_FLOOR
        avg = lengths.mean() if n_rows else 1.0
        norm = K1 * (1 - B + B * lengths[rows] / avg)
        scores = idf[term_of] * (freqs * (K1 + 1)) / (freqs + norm)
        row_of = np.full(int(rids.max()) + 1 if n_rows else 1, -1, dtype=np.int64)
        row_of[rids] = np.arange(n_rows)
        return cls(version, rids, row_of, status, codes, term_ids, starts, rows, scores)

    def doc_freqs(self, terms: Sequence[str]) -> dict[str, int]:
        """How many rows hold each term (0 for terms the table lacks)."""
        out: dict[str, int] = {}
        for term in terms:
            t = self.term_ids.get(term)
            out[term] = 0 if t is None else int(self.starts[t + 1] - self.starts[t])
        return out

    def answers(self, terms: Sequence[str]) -> bool:
        """Whether every term is one FTS token (a term FTS5 would split is a phrase: SQL does it)."""
        return all(fts_tokens(t) == [t] for t in terms)

    def allowed(self, *, rids: Sequence[int] | None, statuses: Sequence[str]) -> np.ndarray:
        """A row mask: the given rids, else the rows in one of the statuses (all when empty)."""
        if rids is not None:
            wanted = np.asarray(rids, dtype=np.int64)
            wanted = wanted[(wanted >= 0) & (wanted < len(self.row_of))]
            rows = self.row_of[wanted]
            picked = np.zeros(len(self.rids), dtype=bool)
            picked[rows[rows >= 0]] = True
            return picked
        key = tuple(statuses)
        mask = self._by_status.get(key)
        if mask is None:
            if not statuses:
                mask = np.ones(len(self.rids), dtype=bool)
            else:
                mask = np.isin(self.status, [self.status_codes[s] for s in statuses if s in self.status_codes])
            mask.flags.writeable = False  # shared by every search: `search` only reads it
            self._by_status[key] = mask
        return mask

    def search(self, terms: Sequence[str], allowed: np.ndarray, limit: int,
               weights: Mapping[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(rids, BM25 scores) of the allowed rows holding any term, best first (ties by rid), at
        most limit. `weights` scales a term's contribution (1 when absent)."""
        scores = np.zeros(len(self.rids), dtype=np.float64)
        hit = np.zeros(len(self.rids), dtype=bool)
        for term in dict.fromkeys(terms):
            t = self.term_ids.get(term)
            if t is None:
                continue
            span = slice(self.starts[t], self.starts[t + 1])
            rows = self.rows[span]
            weight = 1.0 if weights is None else weights.get(term, 1.0)
            scores[rows] += self.scores[span] if weight == 1.0 else weight * self.scores[span]
            hit[rows] = True
        found = np.flatnonzero(hit & allowed)
        if not len(found) or limit <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        if len(found) > limit:
            # keep every row tied with the limit-th score, then order exactly
            kth = np.partition(scores[found], len(found) - limit)[len(found) - limit]
            found = found[scores[found] >= kth]
        order = np.lexsort((self.rids[found], -scores[found]))[:limit]
        top = found[order]
        return self.rids[top], scores[top]


def document_postings(columns: Sequence[str], weights: Sequence[float]) -> tuple[dict[str, float], int]:
    """(term -> column-weighted frequency, length in tokens) of one row of analysed columns.

    What `load` derives from an FTS5 row, for a backend that stores postings itself."""
    wtf: dict[str, float] = {}
    length = 0
    for text, weight in zip(columns, weights, strict=True):
        tokens = fts_tokens(text or "")
        length += len(tokens)
        for token in tokens:
            wtf[token] = wtf.get(token, 0.0) + weight
    return wtf, length
