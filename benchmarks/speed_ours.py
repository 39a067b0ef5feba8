"""Praktijkbank's own core under the speed benchmark: ingest, in-process queries, index-only runs.

Every public `*_job` function runs in a child process (see speed_util.isolated) and returns
plain data, so peak memory is per job and nothing leaks between sizes.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from api.core import Praktijkbank
from benchmarks.corpus import write_jsonl
from benchmarks.relevance import evaluate, load_queries
from benchmarks.speed_plan import MODES, Plan, bases_for, read_corpus, search_texts
from benchmarks.speed_util import Latency, disk_mb, interleaved, peak_rss_mb, timed_ms
from benchmarks.speed_vectors import TimedEmbedder, derived_matrix
from catalogue.store import Filters
from catalogue.store_sqlite import SqliteStore
from catalogue.text import split_sentences
from ingest.pipeline import ingest_paths
from search import trace
from search.embedders import Embedder, make_embedder
from search.index_faiss import IVF_MIN_ROWS, FaissIndex, set_threads
from search.service import SearchService

DENSE_DEPTH = 1000  # what the service asks of the index (Tuning.dense_depth)
IVF_NPROBE = 64  # the approximate setting measured beside the exact one (PRAKTIJKBANK_IVF_NPROBE)


def ingest(home: Path, source: Path, embedder: Embedder) -> float:
    """Ingest one source file into a fresh catalogue in home: files -> SQLite -> FTS -> FAISS."""
    shutil.rmtree(home, ignore_errors=True)
    store = SqliteStore(home / "praktijkbank.db")
    core = Praktijkbank.over(store, index_path=home / "index.faiss", embedder=embedder)
    start = time.perf_counter()
    report = ingest_paths(store, [source], indexer=core.indexing)
    seconds = time.perf_counter() - start
    if report.rejected:
        raise RuntimeError(f"corpus records rejected: {report.rejected[:3]}")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[attr-defined]
    store.close()
    return seconds


def catalogue_mb(home: Path) -> float:
    return disk_mb(*home.glob("praktijkbank.db*"), home / "index.faiss")


def build_job(plan: Plan, size: int) -> dict[str, Any]:
    """Build the catalogue of this size through the real pipeline, vectors from the cache."""
    embedder = plan.embedder(bases_for(plan, size))
    seconds = ingest(plan.home(size), plan.corpus_path(size), embedder)
    embedder.cache.save()
    return {"records": size, "seconds": seconds, "records_per_s": size / seconds,
            "model_seconds": embedder.real_seconds, "derived": embedder.derived,
            "disk_mb": catalogue_mb(plan.home(size)), "peak_rss_mb": peak_rss_mb()}


def ingest_vs_raw_job(plan: Plan, size: int, chunks: int = 4) -> dict[str, Any]:
    """Throughput of the real embedder alone and of the whole pipeline, on the same texts.

    The two alternate chunk by chunk (embedder, pipeline, embedder, ...), so a change in the
    load of a shared machine hits both sides alike.
    """
    records = read_corpus(plan, size)
    real = make_embedder(plan.embedder_spec)
    real.encode_documents(search_texts(records[:8]))  # load and warm the model outside the timings
    timed = TimedEmbedder(real)
    raw_ms = pipeline_ms = 0.0
    with tempfile.TemporaryDirectory(dir=plan.work_dir) as tmp:
        store = SqliteStore(Path(tmp) / "home" / "praktijkbank.db")
        core = Praktijkbank.over(store, index_path=Path(tmp) / "home" / "index.faiss", embedder=timed)
        step = -(-size // chunks)
        for start in range(0, size, step):
            part, source = records[start:start + step], Path(tmp) / f"part-{start}.jsonl"
            write_jsonl(source, part)
            texts = search_texts(part)
            if core.index.passages:  # the pipeline also embeds every sentence: so must the baseline
                texts = texts + [s for t in texts for s in split_sentences(t)]
            raw_ms += timed_ms(lambda t=texts: real.encode_documents(t))[1]
            report, ms = timed_ms(lambda s=source: ingest_paths(store, [s], indexer=core.indexing))
            assert not report.rejected, report.rejected[:3]
            pipeline_ms += ms
        store.close()
    return {"records": size, "raw_per_s": size / (raw_ms / 1000), "pipeline_per_s": size / (pipeline_ms / 1000),
            "pipeline_seconds": pipeline_ms / 1000, "pipeline_model_seconds": timed.seconds,
            "overhead_ms_per_record": (pipeline_ms / 1000 - timed.seconds) * 1000 / size}


def query_embedding_job(plan: Plan) -> dict[str, Any]:
    """Latency of the real model encoding one query, as the service does per search."""
    real = make_embedder(plan.embedder_spec)
    real.encode_queries(["opwarmen"])
    samples = [timed_ms(lambda q=q: real.encode_queries([q]))[1] for q in plan.queries]
    return Latency.of(samples).as_dict()


def engine_search(service: SearchService, mode: str,
                  stages: dict[str, float]) -> Callable[[tuple[str, Filters]], tuple[int, float]]:
    """One search of (query, filters) for `interleaved`: returns (hits, the embedding's ms, to
    subtract) and adds the time of each stage of the service to `stages`."""
    def run(item: tuple[str, Filters]) -> tuple[int, float]:
        query, filters = item
        with trace.recording() as timings:
            result = service.search(query, filters=filters, mode=mode)
        for key, value in timings.items():
            stages[key] = stages.get(key, 0.0) + value
        return len(result.hits), timings.get("embed_ms", 0.0)

    return run


def paired(queries: Sequence[str], filters: Sequence[Filters]) -> list[tuple[str, Filters]]:
    """Each query with the filter set it runs under: the filter sets taken in turn."""
    return [(query, filters[i % len(filters)]) for i, query in enumerate(queries)]


def _run(service: SearchService, queries: Sequence[str], filters: Sequence[Filters], mode: str,
         repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Latency of one mode (embedding excluded), and the mean time of each stage."""
    stages: dict[str, float] = {}
    latency = interleaved({mode: engine_search(service, mode, stages)}, paired(queries, filters), repeat)[mode]
    return latency, {key: value / (len(queries) * repeat) for key, value in stages.items()}


def open_core(plan: Plan, size: int, *, database_url: str | None = None, embedder: Embedder | None = None) -> Praktijkbank:
    """The benchmark catalogue of this size on SQLite + FAISS, or, given its URL, the PostgreSQL
    database it was copied into; query and document vectors from the cache."""
    embedder = embedder or plan.embedder()
    if database_url:
        return Praktijkbank.over_postgres(database_url, embedder=embedder, cache_dir=plan.home(size))
    store = SqliteStore(plan.home(size) / "praktijkbank.db", create=False)
    return Praktijkbank.over(store, index_path=plan.home(size) / "index.faiss", embedder=embedder)


def query_job(plan: Plan, size: int) -> dict[str, Any]:
    """Engine latency per mode, unfiltered and with the selective filters (query vectors cached)."""
    set_threads(1)
    core = open_core(plan, size)
    store = core.store
    assert core.indexing.check(rows=False).ok, "the benchmark catalogue is out of step"
    store.warm()  # facet masks and BM25 postings, as the server builds them at start
    service = core.search
    core.embedder.encode_queries(list(plan.queries))  # fill the query cache before timing
    for mode in MODES:  # warm caches (SQLite pages, FAISS lookup tables)
        _run(service, plan.queries[:5], [Filters(), *plan.filters()], mode, 1)
    latency: dict[str, dict[str, float]] = {}
    stages: dict[str, dict[str, float]] = {}
    for mode in MODES:
        for label, filters in (("all", [Filters()]), ("filtered", plan.filters())):
            latency[f"{mode}/{label}"], stages[f"{mode}/{label}"] = _run(service, plan.queries, filters, mode,
                                                                          plan.repeat)
    selectivity = [len(store.filter_rids(f)) / size for f in plan.filters()]
    ivf = _ivf_runs(plan, core, service, latency, stages) if size >= IVF_MIN_ROWS else None
    core.embedder.cache.save()  # type: ignore[attr-defined]
    store.close()
    return {"latency": latency, "stages": stages, "selectivity": selectivity, "ivf": ivf,
            "peak_rss_mb": peak_rss_mb()}


def _ivf_runs(plan: Plan, core: Praktijkbank, exact: SearchService,
              latency: dict[str, Any], stages: dict[str, Any]) -> dict[str, Any]:
    """Hybrid search through the approximate index (PRAKTIJKBANK_IVF_NPROBE = IVF_NPROBE):
    latency, and how much of the exact top 10 it keeps."""
    index = core.index.current()
    _, build_ms = timed_ms(index.ensure_ivf)
    groups = [("all", [Filters()]), ("filtered", plan.filters())]
    # The exact answers first: the index object serves both, and nprobe switches it.
    index.nprobe = 0
    exact_top = {label: [{h.practice.id for h in exact.search(q, filters=filters[i % len(filters)]).hits}
                         for i, q in enumerate(plan.queries)] for label, filters in groups}
    index.nprobe = IVF_NPROBE  # what the index file sets from Tuning.ivf_nprobe when it loads the index
    service = exact
    out: dict[str, Any] = {"nprobe": IVF_NPROBE, "groups": int(index.ivf.nlist), "build_s": build_ms / 1000}
    _run(service, plan.queries[:5], [Filters(), *plan.filters()], "hybrid", 1)
    for label, filters in groups:
        latency[f"hybrid-ivf/{label}"], stages[f"hybrid-ivf/{label}"] = _run(service, plan.queries, filters,
                                                                              "hybrid", plan.repeat)
        kept = []
        for i, (query, want) in enumerate(zip(plan.queries, exact_top[label], strict=False)):
            got = {h.practice.id for h in service.search(query, filters=filters[i % len(filters)]).hits}
            kept.append(len(want & got) / len(want) if want else 1.0)
        out[f"top10_kept/{label}"] = float(np.mean(kept))
    index.nprobe = 0
    return out


def index_only_job(plan: Plan, size: int, base_size: int) -> dict[str, Any]:
    """FAISS alone at this size: derived vectors, top-1000 unfiltered (1 and 2 threads) and 1% subsets."""
    embedder = plan.embedder(search_texts(read_corpus(plan, base_size)[: plan.real_limit]))
    assert embedder.bases is not None, "index-only runs derive from the real vectors of a corpus"
    vectors = derived_matrix(embedder.bases, size)
    index = FaissIndex(embedder.dim, embedder.name)
    _, add_ms = timed_ms(lambda v=vectors: index.upsert(np.arange(1, size + 1), v, ["derived"] * size))
    del vectors
    queries = embedder.encode_queries(list(plan.queries))
    rng = np.random.default_rng(plan.seed)
    subset = np.sort(rng.choice(np.arange(1, size + 1), max(1, size // 100), replace=False)).tolist()
    out: dict[str, Any] = {"size": size, "add_seconds": add_ms / 1000}
    for threads in (1, 2):
        set_threads(threads)
        out[f"all/{threads}t"] = _index_latency(index, queries, None, plan.repeat).as_dict()
    set_threads(1)
    out["filtered/1t"] = _index_latency(index, queries, subset, plan.repeat).as_dict()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _index_latency(index: FaissIndex, queries: np.ndarray, rids: list[int] | None, repeat: int) -> Latency:
    index.search(queries[0], DENSE_DEPTH, rids=rids)  # warm-up
    samples = [timed_ms(lambda q=q: index.search(q, DENSE_DEPTH, rids=rids))[1]
               for _ in range(repeat) for q in queries]
    return Latency.of(samples)


def relevance_job(plan: Plan, limit: int | None) -> dict[str, Any]:
    """nDCG@10, MRR@10 and recall@10 per mode on the relevance set (over data/), cached real vectors."""
    queries = load_queries()[:limit]
    with tempfile.TemporaryDirectory(dir=plan.work_dir) as tmp:
        store = SqliteStore(Path(tmp) / "praktijkbank.db")
        core = Praktijkbank.over(store, index_path=Path(tmp) / "index.faiss", embedder=plan.embedder())
        report = ingest_paths(store, [plan.relevance_data], indexer=core.indexing)
        assert not report.rejected, report.rejected
        service = core.search
        scores = {mode: evaluate(service, queries, mode).__dict__ for mode in MODES}
        core.embedder.cache.save()  # type: ignore[attr-defined]
        store.close()
    return scores
