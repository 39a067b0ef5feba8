"""In-memory read views of the committed catalogue, kept fresh by a data-version signal.

A store backend gives a `version()` callable that changes whenever any connection or process
committed (SQLite's `PRAGMA data_version` on a watcher connection; a catalogue-version row in
PostgreSQL) and a loader per view. Each view has its own lock, so building one never blocks
readers of another:

- `View`: rebuilt in the caller's thread on first use after a change (facet masks, the
  speller's word counts);
- `BackgroundView`: rebuilt in a thread of its own, None meanwhile, so the caller answers
  another way (the BM25 postings: seconds at 100k practices, while FTS5 gives the same scores);
- `RowCache`: parsed practices of one version, for result pages.

Callers inside a write transaction must bypass the views: those hold committed data only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from catalogue.model import Practice

T = TypeVar("T")
_log = logging.getLogger(__name__)


class View(Generic[T]):
    """A value derived from one data version, loaded again when the version moved."""

    def __init__(self, version: Callable[[], int], load: Callable[[int], T]) -> None:
        self._version = version
        self._load = load
        self._lock = threading.Lock()
        self._held: tuple[int, T] | None = None

    def get(self) -> T:
        """The value for the committed data as it is now."""
        version = self._version()
        with self._lock:
            if self._held is None or self._held[0] != version:
                self._held = (version, self._load(version))
            return self._held[1]

    def clear(self) -> None:
        with self._lock:
            self._held = None


class BackgroundView(Generic[T]):
    """A value derived from one data version and rebuilt in a background thread.

    `get` returns None while the value for the current version is being built; the loader may
    return None when it cannot build (it logs why), and the caller then keeps answering the slow
    way. A value loaded from a snapshot taken after `version` may hold newer commits, never older
    ones; it is only handed out while the signal still says `version`.
    """

    def __init__(self, version: Callable[[], int], load: Callable[[int], T | None], *, name: str) -> None:
        self._version = version
        self._load = load
        self._name = name
        self._lock = threading.Lock()
        self._held: tuple[int, T] | None = None
        self._thread: threading.Thread | None = None

    def get(self) -> T | None:
        """The value for the current version, or None (a build is then started if none runs)."""
        version = self._version()
        with self._lock:
            if self._held is not None and self._held[0] == version:
                return self._held[1]
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._build, args=(version,), name=self._name,
                                                daemon=True)
                self._thread.start()
            return None

    def fresh(self) -> bool:
        version = self._version()
        with self._lock:
            return self._held is not None and self._held[0] == version

    def build_now(self) -> None:
        """Build the value for the current version in this thread, unless it is there already."""
        if not self.fresh():
            self._build(self._version())

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a running background build (tests and shutdown)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _build(self, version: int) -> None:
        value = self._load(version)
        if value is None:
            return
        with self._lock:
            if self._held is None or self._held[0] != version:
                self._held = (version, value)

    def clear(self) -> None:
        with self._lock:
            self._held = None


class RowCache:
    """Parsed practices of one data version by rid, emptied when the version moves on.

    Holds at most `size` practices; callers always get copies, never the cached objects."""

    def __init__(self, version: Callable[[], int], *, size: int) -> None:
        self._version = version
        self._size = size
        self._lock = threading.Lock()
        self._rows: dict[int, Practice] = {}
        self._at: int | None = None

    def lookup(self, rids: Iterable[int]) -> tuple[int, dict[int, Practice]]:
        """(the current version, the cached practices among `rids`, as copies)."""
        version = self._version()
        with self._lock:
            if self._at != version:
                self._rows, self._at = {}, version
            return version, {r: p.model_copy() for r in rids if (p := self._rows.get(r)) is not None}

    def remember(self, version: int, practices: dict[int, Practice]) -> None:
        """Keep practices read at `version`, unless the cache moved on since."""
        with self._lock:
            if self._at != version:
                return
            if len(self._rows) + len(practices) > self._size:
                self._rows = {}
            self._rows.update((r, p.model_copy()) for r, p in practices.items())

    def clear(self) -> None:
        with self._lock:
            self._rows, self._at = {}, None
