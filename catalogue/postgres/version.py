"""The committed catalogue version as this process knows it: the read views' signal.

Every write transaction bumps the `catalogue_version` row and notifies the channel
'praktijkbank' at commit (migrations/0001_initial.sql). A `VersionWatch` keeps the last version
in memory, so asking costs no round trip, and moves it on:

- by a listener thread on its own connection (LISTEN), within milliseconds of another server's
  commit;
- by re-reading the row when that connection is (re)made and whenever it was idle for
  `recheck_s` seconds, because notifications sent while a listener is disconnected are lost;
- by this process's own commits (`saw`), so a write is visible to the next read at once;
- and, should the listener fall behind for longer than `recheck_s` (a dead server, a slow
  reconnect), by the caller re-reading the row itself.

Stores of one process over one database share a watch (`shared_watch`): one listener
connection each, and one store's commit is seen by the others at once.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from catalogue.postgres.schema import NOTIFY_CHANNEL

RECHECK_S = 2.0  # the longest a missed notification can go unnoticed
_RECONNECT_MAX_S = 1.0
_WAKE_S = 0.25  # how often the listener looks up from waiting, to stop when asked
_log = logging.getLogger(__name__)


class VersionWatch:
    """The catalogue version of one database, followed by a LISTEN thread."""

    def __init__(self, url: str, *, recheck_s: float = RECHECK_S) -> None:
        self.url = url
        self.recheck_s = recheck_s
        self._lock = threading.Lock()
        self._version = -1
        self._read_at = float("-inf")  # monotonic time the version was last known current
        self._tried_at = float("-inf")  # ... and a caller last re-read it (at most every recheck_s)
        self._refreshing = threading.Lock()
        self._stop = threading.Event()
        self._conn: Any = None
        self.backend_pid: int | None = None  # the listener's server process (tests end it)
        self.connects = 0
        self._refresh_direct()
        self._thread = threading.Thread(target=self._run, name="praktijkbank-listen", daemon=True)
        self._thread.start()

    # -- what callers use ---------------------------------------------------------------------

    def version(self) -> int:
        """The last known committed version; re-read here when the listener fell behind."""
        now = time.monotonic()
        if now - self._read_at > self.recheck_s and now - self._tried_at > self.recheck_s \
                and self._refreshing.acquire(blocking=False):  # one caller re-reads; the others go on
            try:
                self._tried_at = now
                self._refresh_direct()
            finally:
                self._refreshing.release()
        return self._version

    def saw(self, version: int) -> None:
        """A version this process committed (or read): never go back."""
        with self._lock:
            if version > self._version:
                self._version = version

    def close(self) -> None:
        """Stop the listener: it closes its connection within one wake-up (_WAKE_S), by itself."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for a closed listener to end; whether it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- the listener --------------------------------------------------------------------------

    def _seen(self, version: int, *, current: bool) -> None:
        with self._lock:
            if version > self._version:
                self._version = version
            if current:
                self._read_at = time.monotonic()

    def _refresh_direct(self) -> None:
        """Read the row on a short-lived connection (the listener's may be gone)."""
        from catalogue.postgres.connection import connect

        try:
            with connect(self.url, autocommit=True) as conn:
                self._seen(_read(conn), current=True)
        except Exception:
            _log.warning("catalogusversie niet gelezen", exc_info=True)

    def _run(self) -> None:
        delay = 0.05
        while not self._stop.is_set():
            try:
                self._listen()
                delay = 0.05
            except Exception:
                if self._stop.is_set():
                    break
                _log.info("LISTEN-verbinding verloren; opnieuw verbinden", exc_info=True)
                self._stop.wait(delay)
                delay = min(delay * 2, _RECONNECT_MAX_S)
        self._close_conn()

    def _listen(self) -> None:
        from catalogue.postgres.connection import connect

        self._close_conn()
        conn = connect(self.url, autocommit=True)
        self._conn = conn
        self.backend_pid = conn.info.backend_pid
        self.connects += 1
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        self._seen(_read(conn), current=True)  # what was committed while nobody listened
        heard = time.monotonic()
        while not self._stop.is_set():
            for notify in conn.notifies(timeout=_WAKE_S, stop_after=1):
                heard = time.monotonic()
                with contextlib.suppress(ValueError):
                    self._seen(int(notify.payload), current=False)
            if time.monotonic() - heard >= self.recheck_s / 2:
                # idle for a while: the row is cheap to read, catches lost messages, and proves
                # the connection alive
                self._seen(_read(conn), current=True)
                heard = time.monotonic()
            elif heard > self._read_at:  # a notification came: the connection works
                with self._lock:
                    self._read_at = max(self._read_at, heard)

    def _close_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # already broken
                conn.close()


def _read(conn: Any) -> int:
    return int(conn.execute("SELECT version FROM catalogue_version").fetchone()[0])


# -- one watch per database and process -----------------------------------------------------------

_shared: dict[str, tuple[VersionWatch, int]] = {}
_shared_lock = threading.Lock()


def shared_watch(url: str) -> tuple[VersionWatch, Callable[[], None]]:
    """This process's watch of the database at `url`, and the call that releases it."""
    with _shared_lock:
        watch, users = _shared.get(url, (None, 0))
        if watch is None:
            watch = VersionWatch(url)
        _shared[url] = (watch, users + 1)
    released = False

    def release() -> None:
        nonlocal released
        with _shared_lock:
            if released:
                return
            released = True
            held, n = _shared[url]
            if n > 1:
                _shared[url] = (held, n - 1)
                return
            del _shared[url]
        held.close()

    return watch, release
