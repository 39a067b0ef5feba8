"""Bringing the vector index back in a background thread, so that a server never waits on it.

A server that finds its index missing, damaged or behind the catalogue starts at once and
answers keyword searches while this thread embeds what is needed, logging its progress. The
embedding runs without the index's write lock; only the last step (adding the vectors and saving
the file) takes it, briefly. Writes that arrive meanwhile ask for one more round.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from catalogue.errors import IndexOutOfDate, PraktijkbankError
from search.index import drift

if TYPE_CHECKING:
    from search.indexing import IndexMaintenance

_log = logging.getLogger("praktijkbank.index")
# Progress is logged at every this many percent.
LOG_STEP = 10


class BackgroundRebuild:
    """One background thread at a time that brings the index in line with the store."""

    def __init__(self, maintenance: IndexMaintenance) -> None:
        self.maintenance = maintenance
        self._state = threading.Condition()
        self._thread: threading.Thread | None = None
        self._again = False
        self._done = 0
        self._total = 0
        self.error: str | None = None

    @property
    def running(self) -> bool:
        with self._state:
            return self._thread is not None

    def progress(self) -> float | None:
        """Percentage embedded in the current round, or None when nothing is running."""
        with self._state:
            if self._thread is None:
                return None
            return round(100.0 * self._done / self._total, 1) if self._total else 0.0

    def request(self) -> None:
        """Start a round, or ask the running one for another when it ends (a write came in)."""
        with self._state:
            if self._thread is not None:
                self._again = True
                return
            self._again = False
            self._thread = threading.Thread(target=self._run, name="praktijkbank-rebuild", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no round is running; False on timeout. For tests and shutdown only."""
        with self._state:
            return self._state.wait_for(lambda: self._thread is None, timeout)

    def _run(self) -> None:
        while True:
            try:
                self._round()
                self.error = None
            except PraktijkbankError as e:
                self.error = str(e)
                _log.error("zoekindex herbouwen mislukt: %s", e)
            except Exception as e:
                self.error = f"{type(e).__name__}: {e}"
                _log.exception("zoekindex herbouwen mislukt")
            with self._state:
                if not self._again or self.error:
                    self._thread = None
                    self._state.notify_all()
                    return
                self._again = False

    def _round(self) -> None:
        work = self.maintenance
        entries = work.store.index_entries()
        try:
            found = drift(work.index.current().stamp, entries)
            rebuild, todo = False, found.missing + found.stale
        except IndexOutOfDate as e:  # missing, damaged or made by another embedder
            _log.warning("zoekindex wordt opnieuw opgebouwd: %s", e)
            rebuild, todo = True, [entry.rid for entry in entries]
        practices = list(work.store.get_many(todo).values())
        with self._state:
            self._done, self._total = 0, len(practices)
        _log.info("zoekindex: %d praktijken in te bedden", len(practices))
        prepared = work.encode(practices, progress=self._advance)  # without the write lock
        report = work.sync(prepared=prepared, rebuild=rebuild)
        _log.info("zoekindex klaar: %d vectoren", report.total)

    def _advance(self, n: int) -> None:
        with self._state:
            before = 100 * self._done // max(self._total, 1)
            self._done += n
            after = 100 * self._done // max(self._total, 1)
            done, total = self._done, self._total
        if after // LOG_STEP > before // LOG_STEP:
            _log.info("zoekindex: %d van %d ingebed (%d%%)", done, total, after)
