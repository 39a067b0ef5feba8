"""The search service: filters -> candidates -> dense and lexical rankings -> fusion -> page.

Filters resolve in SQL to candidate ids first; dense search runs only over those ids and BM25
only over those rows, so a filtered search never loses matches to post-filtering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

import numpy as np

from catalogue import analysis
from catalogue.errors import InvalidInput
from catalogue.model import Practice
from catalogue.store import FACET_KINDS, Filters, PracticeStore
from search.embedders import Embedder
from search.fusion import Ranking, anchored_convex, rrf
from search.glossary import dutch_for
from search.index import VectorIndex
from search.lexical import lexical_query
from search.query import QueryPlan, QueryPlanner
from search.snippets import Snippet, make_snippet
from search.trace import stage

# Which case a search result is (API field `match`), see SearchResult.
Match = Literal["relevant", "nearest", "none"]


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
    # A practice is a result when its anchored fused score (search/fusion.anchored_convex)
    # reaches this cut-off; `total` counts those. Tuned on both relevance sets (BENCHMARKS.md).
    cutoff: float = 0.35
    # Queries of more content words than `short_query` are specific sentences: their dense
    # side is more reliable and their relevant practices spread wider (BENCHMARKS.md).
    short_query: int = 3
    cutoff_long: float = 0.10
    dense_weight_short: float = 0.5
    # The dense scale's zero: this percentile of the query's dense scores over the catalogue
    # (None: `dense_window` below the best). It adapts to how spread a query's scores are.
    dense_floor_percentile: float | None = None
    # The keyword scale's one: the score of a practice holding every query word once
    # (search/lexical.py); False: the best BM25 score of the catalogue.
    anchor_lexical: bool = False
    # Weight of a compound's parts among the keyword terms ('schuldhulp' -> schuld, hulp).
    part_weight: float = 0.5
    # A short query whose best keyword match scores below this share of `LexicalQuery.whole`
    # (the query's words, counting those the catalogue lacks) is about nothing, unless its best
    # dense score passes the gate: it gets the nearest practices (BENCHMARKS.md). 0 turns it off.
    min_coverage: float = 0.8
    # When nothing is about the query, this many nearest practices are shown, labelled.
    nearest: int = 5
    # Correct typos towards the catalogue's words ("Bedoelde je ...?").
    spelling: bool = True
    # 0: dense search is exact. Above 0, catalogues of IVF_MIN_ROWS practices or more are
    # searched approximately, scanning this many k-means groups (recall in BENCHMARKS.md).
    ivf_nprobe: int = 0
    # The same opt-in on PostgreSQL: 0 is exact; above 0, unfiltered dense search in catalogues of
    # HNSW_MIN_ROWS practices or more goes through an HNSW index with this ef_search.
    hnsw_ef_search: int = 0


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
    # "relevant": the hits are about the query; "nearest": nothing is, these are the closest
    # practices (total 0); "none": the query holds no language we know and nothing matched.
    match: Match = "relevant"
    did_you_mean: str | None = None


class SearchService:
    """Hybrid search over a store, a vector index and the embedder that made it."""

    def __init__(self, store: PracticeStore, index: VectorIndex, embedder: Embedder,
                 tuning: Tuning | None = None, planner: QueryPlanner | None = None) -> None:
        self.store = store
        self.index = index
        self.embedder = embedder
        self.tuning = tuning or Tuning()
        self.planner = planner or QueryPlanner()  # the speller, cached per catalogue version

    def search(
        self,
        query: str = "",
        *,
        filters: Filters | None = None,
        mode: str | Mode = Mode.hybrid,
        page: int = 1,
        per_page: int = 10,
        facets: Sequence[str] | None = None,
    ) -> SearchResult:
        """Search, or browse with filters when the query is empty.

        The practices that match a query are decided over the whole catalogue, independent of
        the filters: the filters then select among them. So `total` counts what is about the
        query, and the facet count of a value is the total that selecting it gives. Facets are
        disjunctive: a kind's own selection is left out when counting that kind. Only the kinds
        in `facets` are counted (None: every kind; empty: none, the cheapest page).
        """
        try:
            mode = Mode(mode)
        except ValueError as e:
            raise InvalidInput("mode", "kies uit: hybrid, semantic, lexical") from e
        if page < 1:
            raise InvalidInput("page", "moet 1 of meer zijn")
        if per_page < 1:
            raise InvalidInput("per_page", "moet 1 of meer zijn")
        filters = filters or Filters()
        kinds = FACET_KINDS if facets is None else facet_kinds(facets)
        query = " ".join(query.replace("\x00", " ").split())
        scope = Filters(status=filters.status)
        if not query:
            matched = np.array(self.store.filter_rids(scope), dtype=np.int64)
            shown = np.array(self.store.filter_rids(filters, by_title=True), dtype=np.int64)
            ranked = Ranking(shown, np.zeros(len(shown), dtype=np.float64))
            return self._page(ranked, matched, filters, set(), page, per_page, mode, kinds)
        plan = self._plan(query)
        scored, eligible, state, stems = self._score(plan, scope, mode)
        cutoff = self.tuning.cutoff if plan.short(self.tuning.short_query) else self.tuning.cutoff_long
        about = (scored.scores >= cutoff) & eligible if state == "relevant" else np.zeros(len(scored), bool)
        matched = scored.ids[about]
        candidates = self._candidates(filters)
        keep = np.ones(len(scored), dtype=bool) if candidates is None else np.isin(scored.ids, candidates)
        ranked = Ranking(scored.ids[keep], scored.scores[keep])
        in_results = about[keep]
        if state == "relevant" and in_results.any():
            result = self._page(Ranking(ranked.ids[in_results], ranked.scores[in_results]), matched,
                                filters, stems, page, per_page, mode, kinds)
        elif state == "none":
            result = self._page(Ranking.empty(), matched, filters, stems, page, per_page, mode, kinds)
        else:
            result = self._nearest(plan, ranked, matched, filters, stems, page, per_page, mode, kinds)
        result.did_you_mean = plan.corrected
        return result

    def _plan(self, query: str) -> QueryPlan:
        if not self.tuning.spelling:
            return QueryPlan(query, None, True)
        planner = self.planner
        counts = self.store.word_counts()
        return planner.plan(query, planner.speller(id(counts), counts))

    def _candidates(self, filters: Filters) -> list[int] | None:
        """None means every indexed (published) practice."""
        if filters.is_empty and filters.status == ("published",):
            return None
        return self.store.filter_rids(filters)

    def _score(self, plan: QueryPlan, scope: Filters, mode: Mode) -> tuple[Ranking, np.ndarray, str, set[str]]:
        """Every practice in scope that the query reaches, with its anchored fused score; which
        of them may count as about the query; and the state: relevant, nearest (known words,
        nothing near enough) or none.

        A short query's dense scores are close together for every practice (a word has little
        to be near), so for short queries only practices that hold a query term can match; the
        dense side still orders them. A long query may match on meaning alone when its best
        dense score passes the embedder's gate.
        """
        t = self.tuning
        text = plan.effective
        keywords = lexical_query(self.store, analysis.current(), text, dutch_for(text) if t.glossary else "",
                                 part_weight=t.part_weight)
        stems = set(keywords.weights)
        dense = Ranking.empty()
        strong = False
        if mode in (Mode.semantic, Mode.hybrid):
            with stage("embed"):
                vector = self.embedder.encode_queries([text])[0]
            with stage("dense"):
                dense = self.dense_ranking(vector, None if scope.status == ("published",) else
                                           self.store.filter_rids(scope))
                gate = t.min_score if t.min_score is not None else self.embedder.min_score
                strong = bool(len(dense)) and dense.scores[0] >= gate
        with stage("lexical"):
            lexical = Ranking(*self.store.fts_scores(keywords.terms, scope, limit=t.lexical_depth,
                                                     weights=keywords.weights))
        if mode is Mode.lexical:
            # BM25 as a share of the best, the same scale as the keyword side of hybrid search
            only = anchored_convex(Ranking.empty(), lexical, weights=(0.0, 1.0), window=t.dense_window)
            return only, np.ones(len(only), dtype=bool), ("relevant" if len(lexical) else "none"), stems
        short = plan.short(t.short_query)
        # Off-topic short queries share a word with some practice ("bitcoin koers" -> koers): a
        # keyword match that holds too little of the query counts only when the dense side agrees.
        partial = short and not strong and len(lexical) > 0 and \
            float(lexical.scores.max()) < t.min_coverage * keywords.whole
        if (not len(lexical) or partial) and (short or not strong):
            state = "nearest" if plan.known and len(dense) else "none"
            return Ranking(dense.ids, dense.scores), np.zeros(len(dense), dtype=bool), state, stems
        if t.fusion == "rrf":
            fused = Ranking.of(rrf([dense.ids.tolist(), lexical.ids.tolist()], k=t.rrf_k,
                                   weights=[t.dense_weight, t.lexical_weight]))
            fused = Ranking(fused.ids, fused.scores / fused.scores[0] if len(fused) else fused.scores)
        else:
            dense_weight = t.dense_weight_short if plan.short(t.short_query) else t.dense_weight
            lexical_weight = 0.0 if mode is Mode.semantic else 1.0 - dense_weight
            fused = anchored_convex(dense if len(dense) and (strong or len(lexical)) else Ranking.empty(),
                                    lexical, weights=(dense_weight, lexical_weight),
                                    window=t.dense_window, floor_percentile=t.dense_floor_percentile,
                                    lexical_scale=keywords.ideal if t.anchor_lexical else None)
        eligible = np.isin(fused.ids, lexical.ids) if short or not strong else np.ones(len(fused), dtype=bool)
        return fused, eligible, "relevant", stems

    def _nearest(self, plan: QueryPlan, ranked: Ranking, matched: np.ndarray, filters: Filters,
                 stems: set[str], page: int, per_page: int, mode: Mode,
                 kinds: Sequence[str] = FACET_KINDS) -> SearchResult:
        """Nothing is about the query: the closest practices under the filters, labelled, total 0."""
        if not plan.known or mode is Mode.lexical:
            return self._page(Ranking.empty(), matched, filters, stems, page, per_page, mode, kinds)
        closest = ranked.head(self.tuning.nearest) if page == 1 else Ranking.empty()
        result = self._page(closest, matched, filters, stems, 1, self.tuning.nearest, mode, kinds)
        result.facets = self._facets(closest.ids[:0], matched, filters, kinds)
        result.total, result.page, result.per_page, result.match = 0, page, per_page, "nearest"
        return result

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
        index = self.index
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

    def _page(self, ranked: Ranking, matched: np.ndarray, filters: Filters, stems: set[str],
              page: int, per_page: int, mode: Mode, kinds: Sequence[str] = FACET_KINDS) -> SearchResult:
        with stage("facets"):
            facets = self._facets(ranked.ids, matched, filters, kinds)
        with stage("page"):
            window = Ranking(ranked.ids[(page - 1) * per_page: page * per_page],
                             ranked.scores[(page - 1) * per_page: page * per_page]).pairs()
            practices = self.store.get_many(rid for rid, _ in window)
            hits = [
                Hit(practices[rid], score, make_snippet(_snippet_source(practices[rid]), stems))
                for rid, score in window if rid in practices
            ]
        match: Match = "relevant" if len(ranked) else "none"
        return SearchResult(hits, len(ranked), page, per_page, facets, mode.value, match)

    def _facets(self, shown: np.ndarray, matched: np.ndarray, filters: Filters,
                kinds: Sequence[str] = FACET_KINDS) -> dict[str, dict[str, int]]:
        """Disjunctive facet counts over the matching practices: each kind is counted under the
        other kinds' selections only, so a count is what selecting that value alone would give."""
        if not kinds:
            return {}
        counts = {kind: n for kind, n in self.store.facet_counts(shown).items() if kind in kinds}
        for kind in kinds:
            if getattr(filters, kind):
                allowed = self.store.filter_rids(replace(filters, **{kind: ()}))
                counts[kind] = self.store.facet_counts(matched[np.isin(matched, allowed)])[kind]
        return counts

    def similar(self, practice_id: str, *, filters: Filters | None = None, limit: int = 5) -> list[Hit]:
        """Practices closest to this one, filterable, never the practice itself."""
        rid = self.store.rid_of(practice_id)
        index = self.index
        vector = index.vector(rid)
        if vector is None:
            practice = self.store.get(practice_id)
            vector = self.embedder.encode_documents([practice.search_text()])[0]
        filters = filters or Filters()
        scope = self._candidates(filters)  # [] when the filters match nothing: then no neighbours
        candidates = [r for r in (index.stamp.entries if scope is None else scope) if r != rid]
        neighbours = index.search(vector, limit, rids=candidates)
        practices = self.store.get_many(r for r, _ in neighbours)
        return [Hit(practices[r], s, make_snippet(practices[r].summary, set()))
                for r, s in neighbours if r in practices]


def facet_kinds(facets: Sequence[str] | str) -> tuple[str, ...]:
    """The facet kinds asked for, in FACET_KINDS order; InvalidInput naming `facets` for others."""
    asked = {facets} if isinstance(facets, str) else set(facets)
    if unknown := sorted(asked - set(FACET_KINDS)):
        raise InvalidInput("facets", f"onbekende soort '{unknown[0]}'; kies uit: {', '.join(FACET_KINDS)}")
    return tuple(kind for kind in FACET_KINDS if kind in asked)


def _snippet_source(p: Practice) -> str:
    return f"{p.summary} {p.description or ''}".strip()
