"""Per-stage timings of a search, recorded only when a caller asks (the speed benchmarks).

The search service marks its stages with `stage("dense")`; outside `recording()` that costs one
context-variable read. Inside it, each stage adds its wall time to the recording as `dense_ms`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_recording: ContextVar[dict[str, float] | None] = ContextVar("praktijkbank_trace", default=None)


@contextmanager
def recording() -> Iterator[dict[str, float]]:
    """Record the stages run inside this block (in this thread or task) into the dict yielded."""
    timings: dict[str, float] = {}
    token = _recording.set(timings)
    try:
        yield timings
    finally:
        _recording.reset(token)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as `<name>_ms` when recording; do nothing otherwise."""
    timings = _recording.get()
    if timings is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        key = f"{name}_ms"
        timings[key] = timings.get(key, 0.0) + (time.perf_counter() - start) * 1000
