"""The search service: filters -> candidates -> dense and lexical rankings -> fusion -> page.

Filters resolve in SQL to candidate ids first; dense search runs only over those ids and BM25
only over those rows, so a filtered search never loses matches to post-filtering.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from catalogue.errors import InvalidInput
from catalogue.model import Practice
from catalogue.store import Filters, PracticeStore
from catalogue.text import analyze
from search.fusion import Ranking, convex_arrays, rrf
from search.glossary import dutch_for
from search.snippets import Snippet, make_snippet

if TYPE_CHECKING:
    from search.engine import SearchEngine


class Mode(StrEnum):
    hybrid = "hybrid"
    semantic = "semantic"
    lexical = "lexical"


@dataclass(frozen=True)
class Tuning:
    """Ranking knobs, set by measurement on the relevance set (see BENCHMARKS.md)."""

    # Measured on benchmarks/relevance (BENCHMARKS.md): a convex mix of min-max scores beats
    # RRF k=60, which is no better than the dense ranking alone on paraphrased Dutch queries.
    fusion: str = "convex"         # convex | rrf
    rrf_k: float = 60.0
    dense_weight: float = 0.7      # weight of the dense ranking in the fusion
    lexical_weight: float = 0.3
    dense_depth: int = 1000        # how many dense neighbours enter the fusion
    lexical_depth: int = 1000
    # The query gate: when the best dense hit scores below it, semantic search returns nothing
    # (nonsense such as "xqzt vlmp"). None: the embedder's calibrated value.
    min_score: float | None = None
    # Dense hits further than this below the best hit are dropped; it trims the long tail of
    # weak neighbours at a measured cost of 0.003 nDCG@10.
    dense_window: float = 0.10
    # A practice's semantic score mixes its whole text (1 - w) with its best-matching sentence
    # (w): a long description dilutes one vector, one sentence can carry the answer. Only the
    # best `rescore_depth` document hits are rescored; 0 turns sentences off (needs a reindex).
    passage_weight: float = 0.3
    rescore_depth: int = 100
    # Add the Dutch words of French and English phrases (search/glossary.yaml) to the keyword side.
    glossary: bool = True
    # 0: dense search is exact. Above 0, catalogues of IVF_MIN_ROWS practices or more are
    # searched approximately, scanning this many k-means groups (recall in BENCHMARKS.md).
    ivf_nprobe: int = 0


@dataclass
class Hit:
    """One result."""

    practice: Practice
    score: float
    snippet: Snippet


@dataclass
class SearchResult:
    """One page of results with the total and facet counts over all matches."""

    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]
    mode: str
    timings: dict[str, float] = field(default_factory=dict)


class SearchService:
    """Hybrid search over one store and one search engine."""

    def __init__(self, store: PracticeStore, engine: SearchEngine, tuning: Tuning | None = None) -> None:
        self.store = store
        self.engine = engine
        self.tuning = tuning or Tuning()

    def search(
        self,
        query: str = "",
        *,
        filters: Filters | None = None,
        mode: str | Mode = Mode.hybrid,
        page: int = 1,
        per_page: int = 10,
    ) -> SearchResult:
        """Search, or browse with filters when the query is empty."""
        try:
            mode = Mode(mode)
        except ValueError as e:
            raise InvalidInput("mode", "kies uit: hybrid, semantic, lexical") from e
        if page < 1:
            raise InvalidInput("page", "moet 1 of meer zijn")
        if per_page < 1:
            raise InvalidInput("per_page", "moet 1 of meer zijn")
        filters = filters or Filters()
        timings: dict[str, float] = {}
        query = " ".join(query.replace("\x00", " ").split())
        if not query:
            ranked = self._browse(filters)
            stems: set[str] = set()
        else:
            ranked, stems = self._rank(query, filters, mode, timings)
        return self._page(ranked, stems, page, per_page, mode, timings)

    def _browse(self, filters: Filters) -> Ranking:
        """Every match, ordered by title as in listings."""
        rids = np.array(self.store.filter_rids(filters, by_title=True), dtype=np.int64)
        return Ranking(rids, np.zeros(len(rids), dtype=np.float64))

    def _candidates(self, filters: Filters) -> list[int] | None:
        """None means every indexed (published) practice."""
        if filters.is_empty and filters.status == ("published",):
            return None
        return self.store.filter_rids(filters)

    def _rank(self, query: str, filters: Filters, mode: Mode, timings: dict[str, float]
              ) -> tuple[Ranking, set[str]]:
        t = self.tuning
        stems = set(analyze(f"{query} {dutch_for(query)}" if t.glossary else query))
        dense = lexical = Ranking.empty()
        candidates: list[int] | None = None
        if mode in (Mode.semantic, Mode.hybrid):
            self.engine.index()  # a missing or mismatched index fails before any work
            start = time.perf_counter()
            candidates = self._candidates(filters)
            timings["filter_ms"] = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            vector = self.engine.embedder.encode_queries([query])[0]
            timings["embed_ms"] = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            gate = t.min_score if t.min_score is not None else self.engine.embedder.min_score
            dense = within_window(self.dense_ranking(vector, candidates, gate=gate), t.dense_window)
            timings["dense_ms"] = (time.perf_counter() - start) * 1000
        if mode in (Mode.lexical, Mode.hybrid):
            start = time.perf_counter()
            # Reuse the candidates of the dense branch: the tag filter is the costly part at 100k.
            lexical = Ranking(*self.store.fts_scores(sorted(stems), filters, limit=t.lexical_depth,
                                                     rids=candidates))
            timings["lexical_ms"] = (time.perf_counter() - start) * 1000
        if mode is Mode.semantic:
            return dense, stems
        if mode is Mode.lexical:
            return lexical, stems
        start = time.perf_counter()
        if t.fusion == "convex":
            fused = convex_arrays([dense, lexical], weights=[t.dense_weight, t.lexical_weight])
        else:
            fused = Ranking.of(rrf([dense.ids.tolist(), lexical.ids.tolist()], k=t.rrf_k,
                                   weights=[t.dense_weight, t.lexical_weight]))
        timings["fusion_ms"] = (time.perf_counter() - start) * 1000
        return fused, stems

    def dense_ranking(self, vector: np.ndarray, candidates: list[int] | None, *,
                      gate: float | None = None) -> Ranking:
        """Dense hits, best first: documents, then rescored by their best sentence.

        The gate applies to the best whole-text score: a best-sentence score would let nonsense
        through, since some sentence always matches a little (measured in BENCHMARKS.md). The
        best `rescore_depth` document hits then score (1 - w) * document + w * best sentence.
        Hits below that depth keep their order after the rescored ones, their score capped at
        the lowest rescored score, so the list stays sorted.
        """
        t = self.tuning
        index = self.engine.index()
        hits = index.rank(vector, t.dense_depth, rids=candidates)
        if not len(hits) or (gate is not None and hits.scores[0] < gate):
            return Ranking.empty()
        if t.passage_weight <= 0 or not index.has_passages:
            return hits
        head = hits.head(t.rescore_depth)
        best = index.passage_scores(vector, head.ids).astype(np.float64)
        w = t.passage_weight
        rescored = (1 - w) * head.scores + w * np.where(np.isfinite(best), best, head.scores)
        order = np.argsort(-rescored, kind="stable")
        tail = np.minimum(hits.scores[len(head):], rescored[order[-1]])
        return Ranking(np.concatenate([head.ids[order], hits.ids[len(head):]]),
                       np.concatenate([rescored[order], tail]))

    def _page(self, ranked: Ranking, stems: set[str], page: int, per_page: int,
              mode: Mode, timings: dict[str, float]) -> SearchResult:
        start = time.perf_counter()
        facets = self.store.facet_counts(ranked.ids)
        window = Ranking(ranked.ids[(page - 1) * per_page: page * per_page],
                         ranked.scores[(page - 1) * per_page: page * per_page]).pairs()
        practices = self.store.get_many(rid for rid, _ in window)
        hits = [
            Hit(practices[rid], score, make_snippet(_snippet_source(practices[rid]), stems))
            for rid, score in window if rid in practices
        ]
        timings["page_ms"] = (time.perf_counter() - start) * 1000
        return SearchResult(hits, len(ranked), page, per_page, facets, mode.value, timings)

    def similar(self, practice_id: str, *, filters: Filters | None = None, limit: int = 5) -> list[Hit]:
        """Practices closest to this one, filterable, never the practice itself."""
        rid = self.store.rid_of(practice_id)
        index = self.engine.index()
        vector = index.vector(rid)
        if vector is None:
            practice = self.store.get(practice_id)
            vector = self.engine.embedder.encode_documents([practice.search_text()])[0]
        filters = filters or Filters()
        scope = self._candidates(filters)  # [] when the filters match nothing: then no neighbours
        candidates = [r for r in (index.stamp.entries if scope is None else scope) if r != rid]
        neighbours = index.search(vector, limit, rids=candidates)
        practices = self.store.get_many(r for r, _ in neighbours)
        return [Hit(practices[r], s, make_snippet(practices[r].summary, set()))
                for r, s in neighbours if r in practices]


def within_window(hits: Ranking, window: float) -> Ranking:
    """The hits (best first) that score no more than `window` below the best."""
    if not len(hits):
        return hits
    keep = hits.scores >= hits.scores[0] - window
    return Ranking(hits.ids[keep], hits.scores[keep])


def _snippet_source(p: Practice) -> str:
    return f"{p.summary} {p.description or ''}".strip()
