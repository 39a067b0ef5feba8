"""The HNSW opt-in on PostgreSQL (PRAKTIJKBANK_HNSW_EF_SEARCH) against the exact scan.

Usage: python -m benchmarks.hnsw_pg --work-dir DIR [--size 100000] [--ef 100,400]

It reuses the database `benchmarks.speed --backends sqlite,postgresql --work-dir DIR` filled for
that size (the embedded server in DIR/postgres), builds the HNSW index on it once (timed), and
runs the relevance set's queries in hybrid mode without filters through the exact core and
through cores with each ef_search: engine p50 / p95 and how much of the exact top 10 each keeps.
It prints Markdown; the figures are copied into BENCHMARKS.md by hand.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from api.core import Praktijkbank
from benchmarks.relevance import load_queries
from benchmarks.speed_backends import database, load
from benchmarks.speed_plan import Plan
from benchmarks.speed_vectors import CACHE_DIR
from catalogue.postgres import server
from search.index_pgvector import build_hnsw
from search.service import Tuning


def _timed(core: Praktijkbank, queries: list[str], repeat: int) -> tuple[list[float], list[list[str]]]:
    times, tops = [], []
    for _ in range(repeat):
        tops = []
        for text in queries:
            started = time.perf_counter()
            result = core.search.search(text, per_page=10, facets=())
            times.append((time.perf_counter() - started) * 1000)
            tops.append([h.practice.id for h in result.hits])
    return times, tops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--ef", default="100,400", help="ef_search values, comma-separated")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    args = parser.parse_args()
    queries = [q["query"] for q in load_queries()]
    plan = Plan(work_dir=args.work_dir, queries=tuple(queries), cache_dir=args.cache_dir, embedder_spec="e5+use")
    running, _ = server.start(args.work_dir / "postgres", database=server.MAINTENANCE_DB)
    url = running.url(database(args.size))
    embedder = plan.embedder()
    embedder.encode_queries(queries)
    exact = Praktijkbank.over_postgres(url, embedder=embedder, cache_dir=args.work_dir)
    started, before = time.perf_counter(), load()
    built = build_hnsw(exact.index.pool)  # type: ignore[attr-defined]
    build_s = time.perf_counter() - started
    exact.store.warm()
    _timed(exact, queries[:5], 1)
    exact_ms, exact_tops = _timed(exact, queries, args.repeat)
    lines = [f"HNSW at {args.size:,} practices (e5+use, 896 dimensions): index "
             f"{'built in ' + format(build_s, '.0f') + ' s' if built else 'already there'} "
             f"(load {before} before, {load()} after); {len(queries)} queries x {args.repeat}, hybrid, "
             "no filters, top 10 without facets.", "",
             "| dense scan | engine ms p50 / p95 | exact top 10 kept |", "|---|---|---|",
             f"| exact | {np.percentile(exact_ms, 50):.1f} / {np.percentile(exact_ms, 95):.1f} | 100% |"]
    for ef in (int(v) for v in args.ef.split(",")):
        core = Praktijkbank.over_postgres(url, embedder=embedder, cache_dir=args.work_dir,
                                          tuning=Tuning(hnsw_ef_search=ef))
        core.store.warm()
        _timed(core, queries[:5], 1)
        ms, tops = _timed(core, queries, args.repeat)
        kept = np.mean([len(set(a) & set(b)) / max(len(b), 1) for a, b in zip(tops, exact_tops, strict=True)])
        lines.append(f"| HNSW, ef_search {ef} (at least the depth asked) | {np.percentile(ms, 50):.1f} / "
                     f"{np.percentile(ms, 95):.1f} | {kept:.0%} |")
        core.close()
    exact.close()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
