"""Bringing the vector index back in a background thread, so that a server never waits on it.

A server that finds its index missing, damaged or behind the catalogue starts at once and
answers keyword searches while this thread embeds what is needed, logging its progress. The
embedding runs without the index's write lock; only the last step (adding the vectors and saving
the file) takes it, briefly. Writes that arrive meanwhile ask for one more round.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from catalogue.errors import PraktijkbankError

if TYPE_CHECKING:
    from search.indexing import SyncReport

_log = logging.getLogger("praktijkbank.index")
# Progress is logged at every this many percent.
LOG_STEP = 10


class Rebuildable(Protocol):
    """An index maintenance that can bring its index in line in rounds (FAISS file or pgvector)."""

    def rebuild_round(self, *, started: Callable[[int], None], progress: Callable[[int], None]) -> SyncReport:
        """Embed what lags and write it; `started` gets the number of practices to embed."""


class BackgroundRebuild:
    """One background thread at a time that brings the index in line with the store."""

    def __init__(self, maintenance: Rebuildable) -> None:
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
        report = self.maintenance.rebuild_round(started=self._started, progress=self._advance)
        _log.info("zoekindex klaar: %d vectoren", report.total)

    def _started(self, total: int) -> None:
        with self._state:
            self._done, self._total = 0, total
        _log.info("zoekindex: %d praktijken in te bedden", total)

    def _advance(self, n: int) -> None:
        with self._state:
            before = 100 * self._done // max(self._total, 1)
            self._done += n
            after = 100 * self._done // max(self._total, 1)
            done, total = self._done, self._total
        if after // LOG_STEP > before // LOG_STEP:
            _log.info("zoekindex: %d van %d ingebed (%d%%)", done, total, after)


class RebuildsInBackground:
    """The background-rebuild state an index maintenance shares with the server: set by
    `repair_in_background`; searches use keywords only while a rebuild runs."""

    background: BackgroundRebuild | None = None

    @property
    def rebuilding(self) -> bool:
        """Whether a background rebuild is under way."""
        return self.background is not None and self.background.running

    def progress(self) -> float | None:
        """The running background rebuild's percentage, or None."""
        return self.background.progress() if self.background is not None else None
