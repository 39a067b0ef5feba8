"""Concurrency: many searchers over HTTP while a curator re-indexes the catalogue.

Usage: python -m benchmarks.concurrency [--searchers 50] [--write]

Builds the bundled catalogue (data/) in a temporary folder, starts the real server on
127.0.0.1, then runs `praktijkbank reindex` in another process while N threads search without
pause. Every answer must be a 200 whose results all name practices that exist. Prints the
figures; --write puts them into BENCHMARKS.md between the concurrency markers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- concurrency:start -->", "<!-- concurrency:end -->"
QUERIES = [
    "taal oefenen met nieuwkomers", "gratis koffie voor wie het moeilijk heeft", "jongeren in crisis",
    "dakloosheid en wonen", "buurtwerk", "armoede en sociale rechten", "digitale kloof ouderen",
    "vrijwilligers in de wijk", "logement pour sans-abri", "youth work in the city",
]


@dataclass
class LoadResult:
    """What the searchers saw while the re-index ran."""

    requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    missing: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    reindex_seconds: float = 0.0
    reindex_code: int | None = None

    @property
    def throughput(self) -> float:
        return self.requests / self.reindex_seconds if self.reindex_seconds else 0.0

    def percentile(self, q: float) -> float:
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, int(q * len(data)))] if data else 0.0


def cli(home: Path, *args: str, env: dict[str, str] | None = None, log: Path | None = None
        ) -> subprocess.Popen[str]:
    """A praktijkbank process; a long-running one must log to a file, never to an unread pipe
    (a full pipe blocks the server's event loop on its next access-log line)."""
    # All searchers come from 127.0.0.1: the per-client search limit would measure itself.
    full_env = {**os.environ, "PRAKTIJKBANK_HOME": str(home), "PRAKTIJKBANK_SEARCH_RATE": "1000000/minute",
                **(env or {})}
    out = open(log, "w") if log else subprocess.PIPE  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "api.cli.main", *args], cwd=ROOT, env=full_env,
                            stdout=out, stderr=subprocess.STDOUT, text=True)


def _searcher(base: str, known: set[str], stop: threading.Event, result: LoadResult,
              lock: threading.Lock, offset: int, pause: float = 0.0) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        i = offset
        while not stop.is_set():
            query = QUERIES[i % len(QUERIES)]
            i += 1
            start = time.perf_counter()
            try:
                response = client.get("/api/search", params={"q": query, "per_page": 10})
                elapsed = (time.perf_counter() - start) * 1000
                ids = [r["id"] for r in response.json()["results"]] if response.status_code == 200 else []
                error = None if response.status_code == 200 else f"HTTP {response.status_code}"
            except (httpx.HTTPError, ValueError, KeyError) as e:
                elapsed, ids, error = 0.0, [], type(e).__name__
            with lock:
                result.requests += 1
                if error:
                    result.errors[error] += 1
                else:
                    result.latencies_ms.append(elapsed)
                    result.missing += sum(1 for pid in ids if pid not in known)
            if pause:
                stop.wait(pause)


def load_during_reindex(base: str, home: Path, *, searchers: int = 50, pause: float = 0.0,
                        env: dict[str, str] | None = None) -> LoadResult:
    """Run `searchers` threads against `base` for as long as a re-index of `home` takes.

    Each searcher waits `pause` seconds between its searches (0: none, the benchmark's load).
    """
    known = _all_ids(base)
    result, lock, stop = LoadResult(), threading.Lock(), threading.Event()
    threads = [threading.Thread(target=_searcher, args=(base, known, stop, result, lock, n, pause),
                                daemon=True)
               for n in range(searchers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    reindex = cli(home, "reindex", env=env)
    output, _ = reindex.communicate(timeout=1800)
    result.reindex_seconds = time.perf_counter() - start
    result.reindex_code = reindex.returncode
    stop.set()
    for t in threads:
        t.join(timeout=120)
    if reindex.returncode != 0:
        result.errors[f"reindex: {output.strip()[-200:]}"] += 1
    return result


def _all_ids(base: str) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        body = httpx.get(f"{base}/api/practices", params={"per_page": 50, "page": page}, timeout=30).json()
        ids |= {p["id"] for p in body["results"]}
        if page * 50 >= body["total"]:
            return ids
        page += 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(home: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str, Path]:
    """`praktijkbank serve` over the catalogue in `home` (and the settings in `env`), started but
    not yet ready: the process, its base URL and its log (`home/server.log`)."""
    port = free_port()
    log = home / "server.log"
    return cli(home, "serve", "--port", str(port), env=env, log=log), f"http://127.0.0.1:{port}", log


def wait_ready(proc: subprocess.Popen[str], base: str, log: Path, *, within: float = 120.0) -> None:
    """Until /health answers 200 (the model is loaded and warmed, the vectors match the catalogue);
    `within` is a safety net for a hung start, not a timing."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server stopped:\n" + log.read_text(encoding="utf-8", errors="replace"))
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("the server did not become ready:\n" + log.read_text(encoding="utf-8", errors="replace"))


def serve(home: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """`praktijkbank serve` over the catalogue in `home`, once it is ready."""
    proc, base, log = start(home, env)
    try:
        wait_ready(proc, base, log)
    except RuntimeError:
        proc.kill()
        raise
    return proc, base


def report(r: LoadResult, searchers: int) -> str:
    mean = statistics.fmean(r.latencies_ms) if r.latencies_ms else 0.0
    return "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} with `python -m benchmarks.concurrency --write` on the "
        f"2-core machine: {searchers} threads search the bundled catalogue over HTTP (one uvicorn "
        "process) without pause while `praktijkbank reindex` rebuilds FTS and FAISS in another process.",
        "",
        "| searchers | re-index | searches | errors | results naming missing records | searches/s "
        "| latency mean | p50 | p95 |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {searchers} | {r.reindex_seconds:.0f} s | {r.requests} | {sum(r.errors.values())} | {r.missing} "
        f"| {r.throughput:.1f} | {mean:.0f} ms | {r.percentile(0.5):.0f} ms | {r.percentile(0.95):.0f} ms |",
    ])


def write_section(markdown: str, path: Path = ROOT / "BENCHMARKS.md") -> None:
    text = path.read_text(encoding="utf-8")
    if START not in text:
        text = text.rstrip() + f"\n\n## Concurrency (benchmarks/concurrency.py)\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{START}\n{markdown}\n{END}{after}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searchers", type=int, default=50)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        ingest = cli(home, "ingest", str(ROOT / "data"))
        if ingest.wait(timeout=1800) != 0:
            raise SystemExit("ingest of data/ failed")
        proc, base = serve(home)
        try:
            result = load_during_reindex(base, home, searchers=args.searchers)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    markdown = report(result, args.searchers)
    print(markdown)
    if result.errors:
        print("errors:", dict(result.errors))
    if args.write:
        write_section(markdown)


if __name__ == "__main__":
    main()
