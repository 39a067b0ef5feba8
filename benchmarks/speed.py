"""Speed benchmark: ingest, query latency, throughput and resources, side by side with txtai.

Usage: python -m benchmarks.speed [--sizes 1000,10000,100000] [--index-only 1000000] [--out BENCHMARKS.md]
       python -m benchmarks.speed --backends sqlite,postgresql [--sizes ...] [--work-dir DIR --reuse]

For every corpus size it builds a catalogue through the real ingest pipeline, times queries in
process (our engine and txtai on the same vectors), starts the real API server for HTTP
latency, throughput and cold start, and runs FAISS alone; once per run it compares ingest with
the raw embedder and scores both engines on the relevance set. Results go to the `## Speed`
section of BENCHMARKS.md (between its markers), a JSON file and a PNG plot.

With `--backends` naming postgresql it compares the backends instead (benchmarks/speed_backends.py):
per size, the SQLite catalogue and a PostgreSQL copy of it made with `praktijkbank migrate`, engine
latency, HTTP latency and throughput, and memory, side by side; no txtai, FAISS-only, ingest or
relevance runs. Results go between the `speed-backends` markers of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from benchmarks import peer_txtai, speed_http, speed_ours
from benchmarks.corpus import selective_filters, write_jsonl
from benchmarks.relevance import ROOT, load_queries
from benchmarks.speed_notes import notes
from benchmarks.speed_plan import RELEVANCE_DATA, Plan, search_texts, write_corpus
from benchmarks.speed_plot import plot
from benchmarks.speed_report import PLOT_NAME, render, splice
from benchmarks.speed_util import isolated
from benchmarks.speed_vectors import CACHE_DIR

T = TypeVar("T")
Runner = Callable[..., Any]


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names or set(names) - {"sqlite", "postgresql"}:
        raise argparse.ArgumentTypeError(f"backends are sqlite and postgresql, not {text!r}")
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.speed", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=_ints, default=[1000, 10_000, 100_000], help="corpus sizes")
    p.add_argument("--index-only", type=_ints, default=[1_000_000], help="extra FAISS-only sizes ('' for none)")
    p.add_argument("--real-limit", type=int, default=10_000, help="records embedded for real; later ones derived")
    p.add_argument("--embedder", default="e5-small", help="embedder setting for both engines and the server")
    p.add_argument("--ingest-size", type=int, default=1000, help="records for ingest vs raw embedder (0: skip)")
    p.add_argument("--queries", type=int, default=None, help="use the first N relevance queries")
    p.add_argument("--relevance-queries", type=int, default=None, help="score only the first N relevance queries")
    p.add_argument("--relevance-data", type=Path, default=RELEVANCE_DATA, help="catalogue the relevance set judges")
    p.add_argument("--repeat", type=int, default=3, help="in-process repetitions of the query set")
    p.add_argument("--http-requests", type=int, default=40, help="HTTP requests per mode and filter")
    p.add_argument("--no-peer", action="store_true", help="skip txtai")
    p.add_argument("--no-http", action="store_true", help="skip the HTTP server runs")
    p.add_argument("--cold-starts", type=int, default=3, help="server starts for the cold-start median")
    p.add_argument("--backends", type=_names, default=["sqlite"],
                   help="sqlite (the run above), or sqlite,postgresql: the two backends side by side")
    p.add_argument("--postgres-folder", type=Path, default=None,
                   help="--backends: the embedded PostgreSQL's folder (default: WORK_DIR/postgres)")
    p.add_argument("--reuse", action="store_true",
                   help="--backends: keep the SQLite catalogues and PostgreSQL databases already in the work dir")
    p.add_argument("--in-process", action="store_true",
                   help="run every job in this process (quick, for tests; peak memory is then process-wide)")
    p.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    p.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "plots" / PLOT_NAME)
    p.add_argument("--json", type=Path, default=None,
                   help="results file (default: benchmarks/out/speed.json, or speed_backends.json for --backends)")
    p.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="real vector cache")
    p.add_argument("--work-dir", type=Path, default=None, help="catalogues and indexes (default: temporary)")
    p.add_argument("--render", type=Path, default=None, metavar="JSON",
                   help="measure nothing: rewrite the report and plot from a saved results file")
    args = p.parse_args(argv)
    args.compare = "postgresql" in args.backends
    args.json = args.json or ROOT / "benchmarks" / "out" / ("speed_backends.json" if args.compare else "speed.json")
    return args


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def prepare(plan: Plan, sizes: list[int], ingest_size: int) -> Plan:
    """Write the corpora, choose the filters (on the largest) and cache the real vectors."""
    records = write_corpus(plan, max(sizes + [ingest_size]))
    for size in {*sizes, ingest_size} - {len(records), 0}:
        write_jsonl(plan.corpus_path(size), records[:size])
    largest = records[: max(sizes)]
    plan = replace(plan, filter_sets=tuple(selective_filters(largest, share=plan.filter_share)))
    embedder = plan.embedder()
    embedder.warm(search_texts(records[: plan.real_limit]), log=log)
    embedder.encode_queries(list(plan.queries))
    embedder.cache.save()
    return plan


def _inline(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)


def run_size(plan: Plan, size: int, args: argparse.Namespace, run: Runner) -> dict[str, Any]:
    out: dict[str, Any] = {}
    log(f"{size}: ingest through the pipeline")
    out["build"] = run(speed_ours.build_job, plan, size)
    log(f"{size}: queries in process ({out['build']['records_per_s']:.0f} records/s ingest)")
    out["ours"] = run(speed_ours.query_job, plan, size)
    if not args.no_peer:
        log(f"{size}: txtai index and queries")
        out["txtai_build"] = run(peer_txtai.build_job, plan, size)
        out["txtai"] = run(peer_txtai.query_job, plan, size)
    if not args.no_http:
        log(f"{size}: HTTP server")
        out["http"] = speed_http.http_job(plan, size, cold_starts=args.cold_starts)
    return out


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    try:
        import psutil

        ram = f", {psutil.virtual_memory().total / 2**30:.0f} GiB RAM"
    except ImportError:  # pragma: no cover
        ram = ""
    return f"{os.cpu_count()} cores ({model}){ram}, {platform.system()} {platform.release()}"


def versions() -> str:
    import faiss
    from txtai.version import __version__ as txtai_version

    return (f"Python {platform.python_version()}, faiss {faiss.__version__}, SQLite {sqlite3.sqlite_version}, "
            f"txtai {txtai_version}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.compare:
        return compare_backends(args, argv)
    if args.render:
        results = json.loads(args.render.read_text(encoding="utf-8"))
    else:
        results = measure(args, " ".join([".venv/bin/python -m benchmarks.speed",
                                          *(argv if argv is not None else sys.argv[1:])]))
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    write_report(results, args)
    return results


def _plan(args: argparse.Namespace, work: Path) -> Plan:
    queries = tuple(q["query"] for q in load_queries())[: args.queries]
    return Plan(work_dir=work, queries=queries, cache_dir=args.cache_dir, real_limit=args.real_limit,
                embedder_spec=args.embedder, repeat=args.repeat, http_requests=args.http_requests,
                relevance_data=args.relevance_data)


def measure(args: argparse.Namespace, command: str) -> dict[str, Any]:
    """Every measurement of one run, as plain data (the JSON file)."""
    started = time.perf_counter()
    sizes = sorted(set(args.sizes))
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="praktijkbank-speed-"))
    plan = _plan(args, work)
    run: Runner = _inline if args.in_process else isolated
    try:
        log(f"corpora {sizes} and real vectors (first {plan.real_limit}) in {work}")
        plan = prepare(plan, sizes, args.ingest_size)
        results: dict[str, Any] = {"sizes": {}, "index_only": {}, "filters": list(plan.filter_sets)}
        results["query_embedding"] = run(speed_ours.query_embedding_job, plan)
        if args.ingest_size:
            log(f"ingest of {args.ingest_size} records against the raw embedder (real model)")
            results["ingest"] = run(speed_ours.ingest_vs_raw_job, plan, args.ingest_size)
        for size in sizes:
            results["sizes"][str(size)] = run_size(plan, size, args, run)
        for n in sizes + args.index_only:
            log(f"FAISS alone at {n} vectors")
            results["index_only"][str(n)] = run(speed_ours.index_only_job, plan, n, sizes[-1])
        log("relevance of both engines")
        results["relevance"] = {"ours": run(speed_ours.relevance_job, plan, args.relevance_queries)}
        if not args.no_peer:
            results["relevance"]["txtai"] = run(peer_txtai.relevance_job, plan, args.relevance_queries)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    results["meta"] = {
        "date": dt.date.today().isoformat(), "machine": machine(), "versions": versions(),
        "command": command, "minutes": (time.perf_counter() - started) / 60, "queries": len(plan.queries),
        "repeat": args.repeat, "real_limit": plan.real_limit,
        "filters": "; ".join(" + ".join(v[0] for v in f.values()) for f in plan.filter_sets),
    }
    return results


def compare_backends(args: argparse.Namespace, argv: list[str] | None) -> dict[str, Any]:
    """The backend comparison (benchmarks/speed_backends.py): measure, or only `--render` a saved run."""
    from benchmarks import speed_backends

    if args.render:
        results = json.loads(args.render.read_text(encoding="utf-8"))
    else:
        work = args.work_dir or Path(tempfile.mkdtemp(prefix="praktijkbank-speed-backends-"))
        plan = _plan(args, work)
        try:
            log(f"corpora {sorted(args.sizes)} and real vectors (first {plan.real_limit}) in {work}")
            plan = prepare(plan, sorted(args.sizes), 0)
            command = " ".join(["python -m benchmarks.speed", *(argv if argv is not None else sys.argv[1:])])
            results = speed_backends.run_from(args, plan, _inline if args.in_process else isolated, command)
        finally:
            if args.work_dir is None:
                shutil.rmtree(work, ignore_errors=True)
    speed_backends.write(results, args.out)
    log(f"wrote {args.out}")
    return results


def write_report(results: dict[str, Any], args: argparse.Namespace) -> None:
    """The plot and the `## Speed` section of the report."""
    image = plot(results, args.plot)
    relative = os.path.relpath(image, args.out.resolve().parent)
    splice(args.out, render(results, plot=relative, notes=notes(results)))
    log(f"wrote {args.out} and {image}")


if __name__ == "__main__":
    main()
