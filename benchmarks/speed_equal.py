"""Speed at equal work (issue 19), with the product's default embedder (e5+use, sentence vectors).

Usage: python -m benchmarks.speed_equal [--sizes 1000,10000,100000] [--real-limit 1000]

Measured side by side in one run, per corpus size:

- engine time of a top-10 page without facets (equal work) for our engine and txtai, on the
  same vectors (the query vectors come from the cache: no model in the timing);
- our full page with facets (what the search page asks), engine time;
- end to end in process, with the real query model: a new query, and the same query again
  behind the product's query cache;
- over HTTP (the real server, query cache off so every request embeds): p50/p95 with 1 and 8
  clients, with and without facets; 1 against 2 worker processes with 8 clients (throughput,
  RSS of every server process);
- once: ingest with the default embedder against the raw embedder on the same texts, and nDCG
  of both engines on the relevance set.

Results go between the `speed-equal` markers of BENCHMARKS.md and to a JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from api.core import Praktijkbank
from benchmarks import peer_txtai, speed_ours
from benchmarks.relevance import ROOT, load_queries
from benchmarks.speed import log, prepare
from benchmarks.speed_http import http_load
from benchmarks.speed_plan import Plan
from benchmarks.speed_util import Latency, interleaved, isolated, peak_rss_mb, stop, timed_ms, tree_rss_mb
from benchmarks.speed_vectors import CACHE_DIR, CachedEmbedder
from catalogue.store import Filters
from catalogue.store_sqlite import SqliteStore
from search import trace
from search.embedders import make_embedder
from search.embedders.base import Embedder, Progress
from search.embedders.query_cache import CachedQueries, QueryCache
from search.index_faiss import IVF_MIN_ROWS, set_threads

START, END = "<!-- speed-equal:start -->", "<!-- speed-equal:end -->"
PAGE_FACETS = ("krachtlijn", "region", "sector")


class QuerySource:
    """The benchmark engine's embedder: documents from the vector cache; queries from the cache
    ('cached': engine time), the real model ('real'), or the real model behind the product's
    query cache ('product'). One engine, so a 100k index is loaded once."""

    def __init__(self, cached: CachedEmbedder, real: Embedder) -> None:
        self.cached, self.real = cached, real
        self.name, self.dim, self.min_score = cached.name, cached.dim, cached.min_score
        self.product = CachedQueries(real, QueryCache(4096))
        self.mode = "cached"

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        return self.cached.encode_documents(texts, progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        source = {"cached": self.cached, "real": self.real, "product": self.product}[self.mode]
        return source.encode_queries(texts)


def _ours(service: Any, facets: Sequence[str] | None, *, engine_only: bool) -> Any:
    def run(query: str) -> tuple[int, float]:
        if not engine_only:
            return len(service.search(query, facets=facets).hits), 0.0
        with trace.recording() as timings:
            result = service.search(query, facets=facets)
        return len(result.hits), timings.get("embed_ms", 0.0)

    return run


def _txtai(embeddings: Any) -> Any:
    def run(query: str) -> tuple[int, float]:
        return len(peer_txtai.search(embeddings, query, Filters())), 0.0

    return run


def _embed_only(real: Embedder) -> Any:
    def run(query: str) -> tuple[int, float]:
        real.encode_queries([query])
        return 0, 0.0

    return run


def engine_job(plan: Plan, size: int) -> dict[str, Any]:
    """Both engines in one process, taking turns: equal work, our full page, end to end, and
    repeated queries behind the product's query cache."""
    set_threads(1)
    store = SqliteStore(plan.home(size) / "praktijkbank.db", create=False)
    real = make_embedder(plan.embedder_spec)
    source = QuerySource(plan.embedder(), real)
    core = Praktijkbank.over(store, index_path=plan.home(size) / "index.faiss", embedder=source)
    assert core.indexing.check(rows=False).ok, "the benchmark catalogue is out of step"
    store.warm()
    service = core.search
    peer = peer_txtai.load(plan, size)
    queries = list(plan.queries)
    source.cached.encode_queries(queries)
    real.encode_queries(["opwarmen"])
    engine_runs = {"equal": _ours(service, (), engine_only=True), "txtai": _txtai(peer),
                   "full": _ours(service, None, engine_only=True)}
    interleaved(engine_runs, queries[:5], 1)  # warm SQLite pages, FAISS and txtai
    out: dict[str, Any] = interleaved(engine_runs, queries, plan.repeat)
    if size >= IVF_MIN_ROWS:  # txtai picks IVF above 5,000 rows; ours is PRAKTIJKBANK_IVF_NPROBE
        index = core.index.current()
        _, build_ms = timed_ms(index.ensure_ivf)
        index.nprobe = speed_ours.IVF_NPROBE
        interleaved(engine_runs, queries[:5], 1)
        ivf = interleaved({"equal_ivf": engine_runs["equal"], "txtai_ivf_turns": engine_runs["txtai"],
                            "full_ivf": engine_runs["full"]}, queries, plan.repeat)
        out.update(ivf)
        out["ivf"] = {"nprobe": speed_ours.IVF_NPROBE, "build_s": build_ms / 1000}
        index.nprobe = 0
    source.mode = "real"
    out.update(interleaved({"e2e_equal": _ours(service, (), engine_only=False),
                             "e2e_full": _ours(service, None, engine_only=False),
                             "embed": _embed_only(real)},
                            queries, 1))
    source.mode = "product"
    page = _ours(service, PAGE_FACETS, engine_only=False)
    # Each query twice in a row: new (the cache misses), then the same again (it hits).
    new, again = [], []
    for query in queries:
        new.append(timed_ms(lambda q=query: page(q))[1])
        again.append(timed_ms(lambda q=query: page(q))[1])
    out["new_query"], out["repeated_query"] = Latency.of(new).as_dict(), Latency.of(again).as_dict()
    out["cache"] = {"hits": source.product.cache.hits, "misses": source.product.cache.misses}
    out["peak_rss_mb"] = peak_rss_mb()
    store.close()
    return out


# -- HTTP ------------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(plan: Plan, size: int, workers: int) -> Iterator[tuple[str, int]]:
    port = _free_port()
    env = {**os.environ, "PRAKTIJKBANK_EMBEDDER": plan.embedder_spec, "PRAKTIJKBANK_HOME": str(plan.home(size)),
           "PRAKTIJKBANK_SEARCH_RATE": "1000000/minute", "PRAKTIJKBANK_QUERY_CACHE_SIZE": "0"}
    command = [sys.executable, "-m", "api.cli.main", "--home", str(plan.home(size)), "serve",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with (plan.work_dir / f"server-{size}-{workers}.log").open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_warm(base, process)
            yield base, process.pid
        finally:
            stop(process, timeout=30)


def _wait_warm(base: str, process: subprocess.Popen[bytes], timeout: float = 900.0) -> None:
    """Until /health says ready and warm on 20 requests in a row (every worker answers some)."""
    deadline, streak = time.perf_counter() + timeout, 0
    while time.perf_counter() < deadline and streak < 20:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped during start-up (exit {process.returncode})")
        try:
            with httpx.Client(timeout=30) as client:  # a new connection: any worker may take it
                body = client.get(f"{base}/health").json()
            streak = streak + 1 if body.get("ready") and body.get("warm") else 0
        except httpx.TransportError:
            streak = 0
        time.sleep(0.05 if streak else 0.3)
    if streak < 20:
        raise TimeoutError("the server did not become ready and warm")


def _load(base: str, queries: Sequence[str], facets: str, *, clients: int, per_client: int) -> dict[str, float]:
    """`clients` threads, each sending `per_client` hybrid searches back to back."""
    return http_load(base, queries, lambda q: {"q": q, "facets": facets}, clients=clients, per_client=per_client)


def _one_client(base: str, queries: Sequence[str], requests: int) -> dict[str, dict[str, float]]:
    """One client, with and without the page's facets taking turns request by request."""
    variants = {"facets": ",".join(PAGE_FACETS), "no_facets": ""}
    samples: dict[str, list[float]] = {name: [] for name in variants}
    with httpx.Client(timeout=120) as client:
        for i in range(requests):
            for name, facets in variants.items():
                params = {"q": queries[i % len(queries)], "facets": facets}
                _, ms = timed_ms(lambda p=params: client.get(f"{base}/api/search", params=p).raise_for_status())
                samples[name].append(ms)
    return {f"1/{name}": {"clients": 1, "requests": len(v), "qps": 1000.0 / float(np.mean(v)),
                          **Latency.of(v).as_dict()} for name, v in samples.items()}


def http_job(plan: Plan, size: int, workers: int, requests: int) -> dict[str, Any]:
    queries = list(plan.queries)
    out: dict[str, Any] = {"workers": workers}
    with serve(plan, size, workers) as (base, pid):
        _load(base, queries[:8], "", clients=2, per_client=4)  # warm-up
        out.update(_one_client(base, queries, requests))
        for label, facets in (("facets", ",".join(PAGE_FACETS)), ("no_facets", "")):
            out[f"8/{label}"] = _load(base, queries, facets, clients=8, per_client=max(2, requests // 4))
        out.update(tree_rss_mb(pid))
    return out


# -- the run ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.speed_equal", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",") if x], default=[1000, 10_000, 100_000])
    p.add_argument("--real-limit", type=int, default=1000, help="records embedded for real; later ones derived")
    p.add_argument("--embedder", default="e5+use")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--http-requests", type=int, default=40, help="requests of the one client, per setting")
    p.add_argument("--http-sizes", type=lambda s: [int(x) for x in s.split(",") if x], default=None)
    p.add_argument("--workers-size", type=int, default=10_000, help="corpus for 1 against 2 workers (0: skip)")
    p.add_argument("--ingest-size", type=int, default=100, help="records for ingest vs raw embedder (0: skip)")
    p.add_argument("--no-relevance", action="store_true")
    p.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    p.add_argument("--work-dir", type=Path, default=None)
    p.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "out" / "speed_equal.json")
    p.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    p.add_argument("--reuse", action="store_true",
                   help="keep catalogues and txtai indexes already built in --work-dir")
    p.add_argument("--merge", type=Path, default=None, metavar="JSON",
                   help="start from these results: sizes measured now replace theirs, the rest stays")
    p.add_argument("--skip-query-embedding", action="store_true")
    p.add_argument("--render", type=Path, default=None, metavar="JSON", help="only rewrite the report")
    return p.parse_args(argv)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="praktijkbank-speed-equal-"))
    plan = Plan(work_dir=work, queries=tuple(q["query"] for q in load_queries()), cache_dir=args.cache_dir,
                real_limit=args.real_limit, embedder_spec=args.embedder, repeat=args.repeat)
    sizes = sorted(args.sizes)
    log(f"corpora {sizes}, real vectors for the first {plan.real_limit}, in {work}")
    plan = prepare(plan, sizes, args.ingest_size)
    results: dict[str, Any] = {"sizes": {}, "meta": {}}
    if args.merge:
        results = json.loads(args.merge.read_text(encoding="utf-8"))
    results["meta"].update({"embedder": args.embedder, "real_limit": plan.real_limit,
                            "queries": len(plan.queries), "repeat": plan.repeat})
    if not args.skip_query_embedding:
        results["query_embedding"] = isolated(speed_ours.query_embedding_job, plan)
    http_sizes = sizes if args.http_sizes is None else args.http_sizes
    for size in sizes:
        entry: dict[str, Any] = dict(results["sizes"].get(str(size), {}))
        built = (plan.home(size) / "index.faiss").exists() and (work / f"txtai-{size}").exists()
        if not (args.reuse and built):
            log(f"{size}: ingest (cached and derived vectors)")
            entry["build"] = isolated(speed_ours.build_job, plan, size)
            log(f"{size}: txtai index")
            entry["txtai_build"] = isolated(peer_txtai.build_job, plan, size)
        log(f"{size}: both engines in process")
        entry["ours"] = isolated(engine_job, plan, size)
        if size in http_sizes:
            log(f"{size}: HTTP, 1 worker")
            entry["http"] = {"1": http_job(plan, size, 1, args.http_requests)}
            if size == args.workers_size:
                log(f"{size}: HTTP, 2 workers")
                entry["http"]["2"] = http_job(plan, size, 2, args.http_requests)
        results["sizes"][str(size)] = entry
        _save(results, args)  # a partial file survives a later failure
    if args.ingest_size:
        log(f"ingest of {args.ingest_size} records against the raw embedder (real model)")
        results["ingest"] = isolated(speed_ours.ingest_vs_raw_job, plan, args.ingest_size)
    if not args.no_relevance:
        log("relevance of both engines")
        results["relevance"] = {"ours": isolated(speed_ours.relevance_job, plan, None),
                                "txtai": isolated(peer_txtai.relevance_job, plan, None)}
    meta = results["meta"]
    meta["date"] = time.strftime("%Y-%m-%d")
    meta["minutes"] = meta.get("minutes", 0.0) + (time.perf_counter() - started) / 60
    meta.setdefault("commands", []).append(" ".join(["python -m benchmarks.speed_equal", *sys.argv[1:]]))
    from benchmarks.speed import machine, versions

    results["meta"]["machine"], results["meta"]["versions"] = machine(), versions()
    return results


def _save(results: dict[str, Any], args: argparse.Namespace) -> None:
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.render:
        results = json.loads(args.render.read_text(encoding="utf-8"))
    else:
        results = measure(args)
        _save(results, args)
    from benchmarks.speed_equal_report import render, splice

    splice(args.out, render(results), START, END)
    log(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
