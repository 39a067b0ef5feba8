"""Small shared pieces of the speed benchmarks: latency statistics, memory, disk, child processes."""

from __future__ import annotations

import multiprocessing
import resource
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
Item = TypeVar("Item")


@dataclass(frozen=True)
class Latency:
    """Latency percentiles in milliseconds over n timed calls, and the mean number of hits."""

    p50: float
    p95: float
    mean: float
    n: int
    hits: float = 0.0

    @classmethod
    def of(cls, samples_ms: Sequence[float], hits: Sequence[int] = ()) -> Latency:
        if not samples_ms:
            return cls(0.0, 0.0, 0.0, 0, 0.0)
        values = np.asarray(samples_ms, dtype=float)
        return cls(float(np.percentile(values, 50)), float(np.percentile(values, 95)),
                   float(values.mean()), len(values), float(np.mean(hits)) if len(hits) else 0.0)

    @property
    def qps(self) -> float:
        """Queries per second for one client doing nothing else."""
        return 1000.0 / self.mean if self.mean else 0.0

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def timed_ms(fn: Callable[[], T]) -> tuple[T, float]:
    """Call fn; return its result and the wall time in milliseconds."""
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000.0


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory (VmHWM) of a process in MiB; this process when pid is None."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def tree_rss_mb(pid: int) -> dict[str, Any]:
    """Memory of a process and its children (a server and its workers, or PostgreSQL's postmaster
    and its backends), summed: peak RSS (VmHWM), current RSS, and current PSS (shared pages split
    among the processes that map them, so PostgreSQL's shared buffers count once)."""
    import psutil

    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    out: dict[str, Any] = {"peak_rss_mb": 0.0, "rss_mb": 0.0, "pss_mb": 0.0, "processes": len(procs)}
    for proc in procs:
        try:
            out["peak_rss_mb"] += peak_rss_mb(proc.pid)
            full = proc.memory_full_info()
        except (psutil.NoSuchProcess, FileNotFoundError):
            continue  # a backend that ended meanwhile
        out["rss_mb"] += full.rss / 2**20
        out["pss_mb"] += getattr(full, "pss", full.rss) / 2**20
    return out


def interleaved(runs: Mapping[str, Callable[[Item], tuple[int, float]]], items: Sequence[Item],
                repeat: int) -> dict[str, dict[str, float]]:
    """Latency of each run, taking turns item by item (each item starting with the next run), so
    that the load of a shared machine and the order fall on all of them alike. A run returns
    (hits, milliseconds to subtract)."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    hits: dict[str, list[int]] = {name: [] for name in runs}
    names = list(runs)
    turn = 0
    for _ in range(repeat):
        for item in items:
            turn += 1
            for name in names[turn % len(names):] + names[:turn % len(names)]:
                run = runs[name]
                (n, minus), ms = timed_ms(lambda i=item, r=run: r(i))
                samples[name].append(ms - minus)
                hits[name].append(n)
    return {name: Latency.of(samples[name], hits[name]).as_dict() for name in runs}


def disk_mb(*paths: Path) -> float:
    """Total size of files (recursively for folders) in MiB."""
    total = 0
    for path in paths:
        if path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        elif path.exists():
            total += path.stat().st_size
    return total / 2**20


def isolated(fn: Callable[..., T], *args: Any) -> T:
    """Run fn(*args) in a fresh process, so its peak memory and imports are its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def stop(process: subprocess.Popen[Any], *, timeout: float) -> None:
    """Ask a child process to end (SIGTERM), and kill it when it has not within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
