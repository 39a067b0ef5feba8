"""The speed benchmark on both backends: SQLite + FAISS against PostgreSQL + pgvector (issue 18).

Run through speed.py: `python -m benchmarks.speed --backends sqlite,postgresql [--sizes ...]`.

Per corpus size it builds the SQLite catalogue (or reuses it, `--reuse`), starts an embedded
PostgreSQL in the work dir (`--postgres-folder`) and fills one database per size with
`praktijkbank migrate --to` from that catalogue: the vectors are copied, not embedded again; the
copy is timed, then ANALYZE. Then, with both backends side by side in one run:

- engine latency in process, per mode, unfiltered and under the selective filters, query vectors
  from the cache: one process opens both catalogues and they take turns query by query;
- over HTTP, one real `praktijkbank serve` per backend (PRAKTIJKBANK_DATABASE_URL for
  PostgreSQL, the query cache off so every request embeds): p50/p95 with one client, the two
  servers taking turns request by request, and throughput with 1 and 8 clients, in two rounds
  whose order turns (A B, B A);
- memory: the peak RSS of each server process, and of the PostgreSQL processes apart (RSS and
  PSS, which counts the shared buffers once).

The machine's load average is recorded with every step: on a shared machine read the ratios
between the backends, not the absolute figures. Results go between the `speed-backends`
markers of BENCHMARKS.md and to a JSON file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import speed_http, speed_ours
from benchmarks.speed import log, machine
from benchmarks.speed_plan import MODES, Plan
from benchmarks.speed_util import interleaved, peak_rss_mb, timed_ms, tree_rss_mb
from catalogue.store import Filters

SQLITE, POSTGRES = "sqlite", "postgresql"
START, END = "<!-- speed-backends:start -->", "<!-- speed-backends:end -->"
MIGRATE_SEARCHES = 8  # the command's default: sample searches compared on both sides after the copy
Runner = Callable[..., Any]  # speed_util.isolated, or a plain call (--in-process)
Save = Callable[[dict[str, Any]], None]
PG_SETTINGS = ("shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather", "jit",
               "fsync", "synchronous_commit")


def load() -> list[float]:
    """The machine's load average over 1, 5 and 15 minutes."""
    return [round(x, 2) for x in os.getloadavg()]


def database(size: int) -> str:
    return f"speed_{size}"


# -- PostgreSQL: the server and one database per size -------------------------------------------


def _filled(url: str, size: int) -> bool:
    """Whether the database already holds the catalogue of this size with its vectors."""
    from catalogue.postgres.connection import connect

    try:
        with connect(url) as conn:
            practices = conn.execute("SELECT count(*) FROM practices").fetchone()[0]
            vectors = conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
    except Exception:  # no schema yet: not filled
        return False
    return bool(practices == size and vectors == size)


def _fresh_database(running: Any, size: int) -> str:
    """An empty database for this size on the running server (dropped first if it exists)."""
    from psycopg import sql

    from catalogue.postgres import server
    from catalogue.postgres.connection import connect

    with connect(running.url(server.MAINTENANCE_DB), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database(size))))
    server.create_database(running, database(size))
    return str(running.url(database(size)))


def _migrate(plan: Plan, size: int, url: str) -> dict[str, Any]:
    """`praktijkbank migrate --to URL` from the SQLite catalogue of this size, as the command runs it:
    the model's load, the copy and the command's check of both sides, each timed."""
    from api.migrate import migrate_to_postgres
    from catalogue.settings import Settings
    from search import trace
    from search.embedders import make_embedder

    settings = Settings(home=plan.home(size), embedder=plan.embedder_spec)
    # The command loads the model first (it compares the model names of both sides); loaded here,
    # the same cached model serves it, and the copy's time is the copy's.
    _, model_ms = timed_ms(lambda: make_embedder(settings.embedder, allow_downloads=settings.allow_downloads))
    with trace.recording() as stages:
        report, ms = timed_ms(lambda: migrate_to_postgres(settings, url, searches=MIGRATE_SEARCHES))
    checked = report.verification
    return {"model_load_s": model_ms / 1000, "seconds": ms / 1000, "copy_s": stages.get("copy_ms", 0.0) / 1000,
            "verify_s": stages.get("verify_ms", 0.0) / 1000, "practices": report.copied.practices,
            "vectors_copied": report.copied.vectors_copied, "embedded": report.copied.embedded,
            "counts_match": checked.counts_match, "searches": len(checked.searches),
            "same_top10": len(checked.searches) - len(checked.mismatches)}


def postgres_job(plan: Plan, size: int, folder: Path, reuse: bool) -> dict[str, Any]:
    """This size's database on the embedded server in `folder`, filled with `migrate --to` from the
    SQLite catalogue, then ANALYZE; `reuse` keeps a database an earlier run filled."""
    from catalogue.postgres import server
    from catalogue.postgres.connection import connect

    running, _ = server.start(folder, database=server.MAINTENANCE_DB)
    url = running.url(database(size))
    out: dict[str, Any] = {"url": url, "database": database(size), "load_before": load()}
    if reuse and _filled(url, size):
        out["reused"] = True
    else:
        url = _fresh_database(running, size)
        out["migrate"] = _migrate(plan, size, url)
        with connect(url, autocommit=True) as conn:
            out["analyze_s"] = timed_ms(lambda: conn.execute("ANALYZE"))[1] / 1000
    with connect(url) as conn:
        def one(query: str, *params: Any) -> Any:
            return conn.execute(query, list(params)).fetchone()[0]

        out["disk_mb"] = one("SELECT pg_database_size(current_database())") / 2**20
        out["tables_mb"] = {name: one("SELECT pg_total_relation_size(%s)", name) / 2**20
                            for name in ("practices", "terms", "vectors", "passages")}
        out["settings"] = {name: one(f"SHOW {name}") for name in PG_SETTINGS}
        out["versions"] = {"postgresql": one("SHOW server_version"),
                           "pgvector": one("SELECT extversion FROM pg_extension WHERE extname = 'vector'")}
    out["load_after"] = load()
    return out


# -- in process: both catalogues in one process, taking turns -----------------------------------


def engine_job(plan: Plan, size: int, urls: Mapping[str, str | None]) -> dict[str, Any]:
    """Engine latency of each backend per mode, unfiltered and filtered, the backends taking turns
    query by query (query vectors from the cache: no model in the timing)."""
    from search.index_faiss import set_threads

    set_threads(1)
    embedder = plan.embedder()
    cores = {name: speed_ours.open_core(plan, size, database_url=url, embedder=embedder)
             for name, url in urls.items()}
    try:
        for core in cores.values():
            assert core.indexing.check(rows=False).ok, "the benchmark catalogue is out of step"
            core.store.warm()  # facet masks and BM25 postings, as a server builds them at start
        embedder.encode_queries(list(plan.queries))
        out: dict[str, Any] = {"load_before": load(), "latency": {n: {} for n in cores},
                               "stages": {n: {} for n in cores}}
        for mode in MODES:
            for label, filters in (("all", [Filters()]), ("filtered", plan.filters())):
                items = speed_ours.paired(plan.queries, filters)
                warm: dict[str, float] = {}
                interleaved({n: speed_ours.engine_search(c.search, mode, warm) for n, c in cores.items()},
                            items[:5], 1)  # database pages, FAISS tables, parsed practices
                stages: dict[str, dict[str, float]] = {n: {} for n in cores}
                runs = {n: speed_ours.engine_search(c.search, mode, stages[n]) for n, c in cores.items()}
                for name, stats in interleaved(runs, items, plan.repeat).items():
                    out["latency"][name][f"{mode}/{label}"] = stats
                    out["stages"][name][f"{mode}/{label}"] = {k: v / (len(items) * plan.repeat)
                                                              for k, v in stages[name].items()}
        first = next(iter(cores.values()))
        out["selectivity"] = [len(first.store.filter_rids(f)) / size for f in plan.filters()]
        out["load_after"] = load()
        out["peak_rss_mb"] = peak_rss_mb()
        return out
    finally:
        for core in cores.values():
            core.close()


# -- over HTTP: one real server per backend --------------------------------------------------------


@contextlib.contextmanager
def servers(plan: Plan, size: int, urls: Mapping[str, str | None]) -> Iterator[dict[str, speed_http.Server]]:
    """One `praktijkbank serve` per backend, started together and all running at once, the query
    cache off."""
    managers = {name: speed_http.serve(plan.home(size), embedder_spec=plan.embedder_spec,
                                       env={"PRAKTIJKBANK_QUERY_CACHE_SIZE": "0",
                                            **({"PRAKTIJKBANK_DATABASE_URL": url} if url else {})},
                                       log=plan.work_dir / f"server-{name}-{size}.log")
                for name, url in urls.items()}
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(len(managers)) as pool:
        starting = {name: pool.submit(manager.__enter__) for name, manager in managers.items()}
        running = {}
        for name, future in starting.items():
            if future.exception() is None:  # waits for the start; a server that started is stopped at exit
                running[name] = future.result()
                stack.push(managers[name].__exit__)
        for future in starting.values():
            if (error := future.exception()) is not None:
                raise error
        yield running


def http_job(plan: Plan, size: int, urls: Mapping[str, str | None], postgres_pid: int | None) -> dict[str, Any]:
    """Latency with one client, throughput with 1 and 8, and memory, for both servers side by side."""
    out: dict[str, Any] = {"load_before": load()}
    with servers(plan, size, urls) as running:
        out["ready_s"] = {name: s.ready_seconds for name, s in running.items()}
        out["latency"] = speed_http.latencies(running, plan)
        per_client = max(1, plan.http_requests // 4)  # two rounds: as many requests as speed.py's one
        out["throughput"] = {name: [] for name in running}
        for clients in (1, 8):
            for name, stats in speed_http.throughput(running, plan.queries, clients=clients, per_client=per_client,
                                                     rounds=2).items():
                out["throughput"][name].append(stats)
        out["memory"] = {name: tree_rss_mb(s.process.pid) for name, s in running.items()}
        if postgres_pid is not None:
            out["memory"]["postgresql-server"] = tree_rss_mb(postgres_pid)
    out["load_after"] = load()
    return out


# -- the run -----------------------------------------------------------------------------------


def measure(plan: Plan, sizes: list[int], backends: list[str], *, run: Runner, folder: Path,
            reuse: bool, http: bool, save: Save) -> dict[str, Any]:
    """Every size on every backend; `save(results)` after each size, so a partial run survives.
    A PostgreSQL server this run started in `folder` is stopped at the end."""
    from catalogue.postgres import server

    started_here = POSTGRES in backends and server.status(folder) is None

    results: dict[str, Any] = {"kind": "backends", "backends": backends, "sizes": {}, "load_start": load(),
                               "filters": list(plan.filter_sets)}
    try:
        for size in sizes:
            entry: dict[str, Any] = {}
            if not (reuse and (plan.home(size) / "index.faiss").exists()):
                log(f"{size}: ingest into SQLite (cached and derived vectors)")
                entry["build"] = run(speed_ours.build_job, plan, size)
            entry["sqlite_disk_mb"] = speed_ours.catalogue_mb(plan.home(size))
            urls: dict[str, str | None] = {name: None for name in backends if name == SQLITE}
            if POSTGRES in backends:
                log(f"{size}: PostgreSQL database, filled with migrate --to")
                entry["postgres"] = run(postgres_job, plan, size, folder, reuse)
                urls[POSTGRES] = entry["postgres"]["url"]
            log(f"{size}: engine latency in process, {' and '.join(urls)} taking turns")
            entry["engine"] = run(engine_job, plan, size, urls)
            if http:
                log(f"{size}: HTTP, one server per backend")
                running = server.status(folder) if POSTGRES in urls else None
                entry["http"] = http_job(plan, size, urls, running.pid if running else None)
            results["sizes"][str(size)] = entry
            save(results)
    finally:
        if started_here:
            server.stop(folder)
    results["load_end"] = load()
    return results


def write(results: dict[str, Any], out: Path) -> None:
    from benchmarks.relevance import write_section
    from benchmarks.speed_backends_report import render

    write_section(render(results), out, start=START, end=END)


def save_json(path: Path) -> Save:
    def save(results: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=1), encoding="utf-8")

    return save


def run_from(args: argparse.Namespace, plan: Plan, run: Runner, command: str) -> dict[str, Any]:
    """The backend comparison as speed.py runs it for `--backends`."""
    started = time.perf_counter()
    folder = args.postgres_folder or plan.work_dir / "postgres"
    save = save_json(args.json)
    results = measure(plan, sorted(set(args.sizes)), args.backends, run=run, folder=folder, reuse=args.reuse,
                      http=not args.no_http, save=save)
    results["meta"] = {"date": time.strftime("%Y-%m-%d %H:%M"), "command": command, "machine": machine(),
                       "minutes": (time.perf_counter() - started) / 60, "embedder": plan.embedder_spec,
                       "queries": len(plan.queries), "repeat": plan.repeat, "http_requests": plan.http_requests,
                       "real_limit": plan.real_limit}
    save(results)
    return results
