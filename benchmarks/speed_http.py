"""The HTTP side of the speed benchmark: the real server on 127.0.0.1, measured from outside.

The server is started exactly as a user would (`python -m api.cli.main --home DIR serve`), with
the real embedder, so HTTP latencies include query embedding, routing, JSON and the socket.
Load is bounded: a fixed number of requests per client, never open-ended.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.relevance import ROOT
from benchmarks.speed_plan import MODES, Plan
from benchmarks.speed_util import Latency, interleaved, peak_rss_mb, stop, timed_ms

READY_TIMEOUT = 180.0


@dataclass(frozen=True)
class Server:
    """A running server process and its address."""

    process: subprocess.Popen[bytes]
    base: str
    ready_seconds: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(base: str, process: subprocess.Popen[bytes], started: float) -> float:
    """Seconds from spawn until /health answers 200."""
    with httpx.Client(timeout=30) as client:
        while time.perf_counter() - started < READY_TIMEOUT:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped during start-up (exit {process.returncode})")
            try:
                if client.get(f"{base}/health").status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.01)
    raise TimeoutError(f"the server was not ready after {READY_TIMEOUT:.0f} s")


@contextmanager
def serve(home: Path, *, embedder_spec: str, log: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """Start the real server on a free port of 127.0.0.1; stop it afterwards. `env` adds settings
    (PRAKTIJKBANK_DATABASE_URL for PostgreSQL, PRAKTIJKBANK_QUERY_CACHE_SIZE ...)."""
    port = free_port()
    environ = {**os.environ, "PRAKTIJKBANK_EMBEDDER": embedder_spec, "PRAKTIJKBANK_HOME": str(home),
               "PRAKTIJKBANK_SEARCH_RATE": "1000000/minute",  # one client, measured: no per-client limit
               **(env or {})}
    command = [sys.executable, "-m", "api.cli.main", "--home", str(home), "serve",
               "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            yield Server(process, base, _wait_ready(base, process, started))
        finally:
            stop(process, timeout=15)


def _params(query: str, mode: str, filters: dict[str, list[str]]) -> dict[str, Any]:
    return {"q": query, "mode": mode, **filters}


def wait_warm(base: str, timeout: float = 600.0) -> None:
    """Wait until the server's in-memory search views are built (GET /health says warm)."""
    deadline = time.perf_counter() + timeout
    with httpx.Client(timeout=30) as client:
        while time.perf_counter() < deadline:
            if client.get(f"{base}/health").json().get("warm"):
                return
            time.sleep(0.1)
    raise TimeoutError("the server's search views were not built in time")


def _get(client: httpx.Client, base: str, params: dict[str, Any]) -> int:
    response = client.get(f"{base}/api/search", params=params)
    response.raise_for_status()
    return len(response.json()["results"])


def _getter(client: httpx.Client, base: str) -> Callable[[dict[str, Any]], tuple[int, float]]:
    """A search against one server for `interleaved`: (results, nothing to subtract)."""
    return lambda params: (_get(client, base, params), 0.0)


def latencies(servers: Mapping[str, Server], plan: Plan) -> dict[str, dict[str, dict[str, float]]]:
    """p50/p95 per server, mode, unfiltered and with the selective filters, one client. With
    several servers they take turns request by request, so the load of a shared machine falls
    on each alike."""
    out: dict[str, dict[str, dict[str, float]]] = {name: {} for name in servers}
    with httpx.Client(timeout=60) as client:
        for server in servers.values():
            wait_warm(server.base)
            for query in plan.queries[:3]:  # warm-up
                _get(client, server.base, _params(query, "hybrid", {}))
        runs = {name: _getter(client, server.base) for name, server in servers.items()}
        for mode in MODES:
            for label, filter_sets in (("all", [{}]), ("filtered", list(plan.filter_sets))):
                requests = [_params(plan.queries[i % len(plan.queries)], mode, filter_sets[i % len(filter_sets)])
                            for i in range(plan.http_requests)]
                for name, stats in interleaved(runs, requests, 1).items():
                    out[name][f"{mode}/{label}"] = stats
    return out


def throughput(servers: Mapping[str, Server], queries: Sequence[str], *, clients: int, per_client: int,
               rounds: int = 1) -> dict[str, dict[str, float]]:
    """Hybrid queries/s of each server with `clients` threads, each sending `per_client` requests
    back to back, in `rounds` rounds; the servers' order turns round by round (A B, B A, ...)."""
    samples: dict[str, list[float]] = {name: [] for name in servers}
    seconds = dict.fromkeys(servers, 0.0)
    names = list(servers)
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            got, took = load_samples(servers[name].base, queries, lambda q: _params(q, "hybrid", {}),
                                     clients=clients, per_client=per_client)
            samples[name] += got
            seconds[name] += took
    return {name: load_stats(samples[name], seconds[name], clients) for name in servers}


def http_load(base: str, queries: Sequence[str], params_of: Callable[[str], dict[str, Any]], *,
              clients: int, per_client: int) -> dict[str, float]:
    """Searches/s and latency with `clients` threads, each sending `per_client` searches back to
    back (the parameters of a query from `params_of`); all clients start together."""
    samples, seconds = load_samples(base, queries, params_of, clients=clients, per_client=per_client)
    return load_stats(samples, seconds, clients)


def load_samples(base: str, queries: Sequence[str], params_of: Callable[[str], dict[str, Any]], *,
                 clients: int, per_client: int) -> tuple[list[float], float]:
    """The latency of every search of a bounded load (see http_load), and its wall time in seconds."""
    samples: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client_loop(offset: int) -> None:
        mine = []
        with httpx.Client(timeout=120) as client:
            barrier.wait()
            for i in range(per_client):
                params = params_of(queries[(offset * per_client + i) % len(queries)])
                mine.append(timed_ms(lambda p=params: _get(client, base, p))[1])
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client_loop, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return samples, time.perf_counter() - start


def load_stats(samples: Sequence[float], seconds: float, clients: int) -> dict[str, float]:
    stats = Latency.of(samples)
    return {"clients": clients, "requests": len(samples), "seconds": seconds,
            "qps": len(samples) / seconds, "p50": stats.p50, "p95": stats.p95}


def cold_start(plan: Plan, size: int) -> float:
    """Seconds from spawning the server process until /health answers 200."""
    with serve(plan.home(size), embedder_spec=plan.embedder_spec, log=plan.work_dir / f"server-{size}.log") as server:
        return server.ready_seconds


def http_job(plan: Plan, size: int, *, cold_starts: int = 3) -> dict[str, Any]:
    """Cold start (median of several), latency and throughput over HTTP, the server's peak memory."""
    starts = sorted(cold_start(plan, size) for _ in range(max(0, cold_starts - 1)))
    log = plan.work_dir / f"server-{size}.log"
    with serve(plan.home(size), embedder_spec=plan.embedder_spec, log=log) as server:
        starts = sorted([*starts, server.ready_seconds])
        result: dict[str, Any] = {"cold_start_s": starts[len(starts) // 2], "cold_starts_s": starts}
        result["latency"] = latencies({"server": server}, plan)["server"]
        per_client = max(2, plan.http_requests // 2)
        result["throughput"] = [throughput({"server": server}, plan.queries, clients=c, per_client=per_client)["server"]
                                for c in (1, 8)]
        result["peak_rss_mb"] = peak_rss_mb(server.process.pid)
    return result
