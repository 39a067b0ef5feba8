"""txtai as the peer engine: the same corpus and the same vectors, with txtai's own hybrid search.

Models are equal by construction: txtai runs with method="external" and a transform function
that hands its texts to our CachedEmbedder. txtai's `instructions` prefix queries with
"query: " and documents with "passage: ", which the transform uses to pick e5's query or
passage encoding. Nothing is downloaded: no Hub model is ever named.

txtai's settings are its own: `scoring` is exactly what its `hybrid=True` shortcut expands to
(BM25 over its term index, normalised, convex fusion with weight 0.5), the dense index is its
default FAISS choice (IDMap,Flat up to 5,000 rows, IVF above), documents are stored as content
(SQLite) and filters are SQL over that content, applied after the similar() candidates.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.relevance import mrr, ndcg, recall
from benchmarks.speed_plan import Plan, bases_for, read_corpus
from benchmarks.speed_util import Latency, disk_mb, peak_rss_mb, timed_ms
from benchmarks.speed_vectors import CachedEmbedder
from catalogue.model import Practice, parse_practice
from catalogue.store import Filters, make_filters

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: txtai must never fetch a model

QUERY, PASSAGE = "query: ", "passage: "
K = 10


def transform_for(embedder: CachedEmbedder) -> Callable[[list[str]], np.ndarray]:
    """txtai's transform: prefixed texts in, our query or passage vectors out."""

    def transform(texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), embedder.dim), dtype=np.float32)
        queries = [i for i, t in enumerate(texts) if t.startswith(QUERY)]
        passages = [i for i, t in enumerate(texts) if not t.startswith(QUERY)]
        if queries:
            out[queries] = embedder.encode_queries([texts[i][len(QUERY):] for i in queries])
        if passages:
            out[passages] = embedder.encode_documents([texts[i].removeprefix(PASSAGE) for i in passages])
        return out

    return transform


def config(embedder: CachedEmbedder) -> dict[str, Any]:
    return {
        "method": "external",
        "transform": transform_for(embedder),
        "content": True,
        "scoring": {"method": "bm25", "terms": True, "normalize": True},
        "instructions": {"query": QUERY, "data": PASSAGE},
    }


def _bars(values: Iterable[str]) -> str:
    return "|" + "|".join(values) + "|"


def document(p: Practice) -> dict[str, Any]:
    """A txtai content row: the same text we embed, and the facets as filterable columns."""
    return {"id": p.id, "text": p.search_text(), "region": p.region,
            "sectors": _bars(p.sectors), "krachtlijnen": _bars(p.krachtlijnen)}


def where(filters: Filters) -> str:
    """Our filters as txtai SQL over the content columns (values are vocabulary keys)."""
    clauses = []
    if filters.region:
        clauses.append("region in (" + ", ".join(f"'{v}'" for v in filters.region) + ")")
    for column, values in (("sectors", filters.sector), ("krachtlijnen", filters.krachtlijn)):
        if values:
            clauses.append("(" + " or ".join(f"{column} like '%|{v}|%'" for v in values) + ")")
    return " and ".join(clauses)


def search(embeddings: Any, query: str, filters: Filters, limit: int = K) -> list[str]:
    """Hybrid search, with txtai's SQL for filters; returns practice ids."""
    clause = where(filters)
    if not clause:
        return [r["id"] for r in embeddings.search(query, limit)]
    sql = f"select id, score from txtai where similar(:q) and {clause} limit {limit}"
    return [r["id"] for r in embeddings.search(sql, limit, parameters={"q": query})]


def _index_path(plan: Plan, size: int) -> Path:
    return plan.work_dir / f"txtai-{size}"


def build_job(plan: Plan, size: int) -> dict[str, Any]:
    """Index the corpus in txtai (vectors from the cache), save it, report time, disk and memory."""
    from txtai import Embeddings

    documents = [document(parse_practice(r)) for r in read_corpus(plan, size)]
    embeddings = Embeddings(config(plan.embedder(bases_for(plan, size))))
    _, ms = timed_ms(lambda: embeddings.index(documents))
    embeddings.save(str(_index_path(plan, size)))
    components = embeddings.config.get("build", {}).get("settings", {}).get("components", "?")
    return {"records": size, "seconds": ms / 1000, "records_per_s": size / (ms / 1000),
            "disk_mb": disk_mb(_index_path(plan, size)), "components": components,
            "peak_rss_mb": peak_rss_mb()}


def load(plan: Plan, size: int) -> Any:
    """The saved index with our transform attached again (functions are not saved)."""
    from txtai import Embeddings

    embeddings = Embeddings()
    embeddings.load(str(_index_path(plan, size)), config=config(plan.embedder()))
    return embeddings


def query_job(plan: Plan, size: int) -> dict[str, Any]:
    """Hybrid latency, unfiltered and with the selective filters (query vectors cached)."""
    embeddings = load(plan, size)
    filter_sets = plan.filters()
    for query in plan.queries[:5]:  # warm-up, and fills the query cache
        search(embeddings, query, Filters())
    latency = {}
    for label, filters in (("all", [Filters()]), ("filtered", filter_sets)):
        latency[f"hybrid/{label}"] = _timed_run(embeddings, plan.queries, filters, plan.repeat).as_dict()
    return {"latency": latency, "peak_rss_mb": peak_rss_mb()}


def _timed_run(embeddings: Any, queries: Sequence[str], filters: Sequence[Filters], repeat: int) -> Latency:
    samples, hits = [], []
    for _ in range(repeat):
        for i, query in enumerate(queries):
            ids, ms = timed_ms(lambda q=query, f=filters[i % len(filters)]: search(embeddings, q, f))  # noqa: B008
            samples.append(ms)
            hits.append(len(ids))
    return Latency.of(samples, hits)


def relevance_job(plan: Plan, limit: int | None) -> dict[str, Any]:
    """nDCG@10, MRR@10 and recall@10 of txtai's hybrid search on the relevance set over data/."""
    from txtai import Embeddings

    from benchmarks.relevance import load_queries
    from ingest.pipeline import collect

    practices, report = collect([plan.relevance_data])
    assert not report.rejected, report.rejected
    embedder = plan.embedder()
    embeddings = Embeddings(config(embedder))
    embeddings.index([document(p) for p in practices])
    queries = load_queries()[:limit]
    totals = np.zeros(3)
    for q in queries:
        ranked = search(embeddings, q["query"], make_filters(**(q.get("filters") or {})))
        grades = {pid: int(g) for pid, g in q["relevant"].items()}
        totals += [fn(ranked, grades) for fn in (ndcg, mrr, recall)]
    embedder.cache.save()
    n = len(queries)
    return {"hybrid": {"ndcg": totals[0] / n, "mrr": totals[1] / n, "recall": totals[2] / n, "n": n}}
