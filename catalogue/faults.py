"""Named crash points for the crash-safety tests.

With PRAKTIJKBANK_CRASH_AT=<name> in its environment, a process kills itself with SIGKILL
the moment it reaches that point: a kill -9 at an exact step of a write, chosen by name
rather than by timing. Without the variable a crash point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "PRAKTIJKBANK_CRASH_AT"

# Every crash point in the code, so tests can cover them all.
POINTS = (
    "ingest:embedded",        # vectors computed, nothing written yet
    "store:mid-transaction",  # inside the SQLite write transaction, after the first row
    "ingest:committed",       # SQLite committed, the vector index not yet updated
    "index:temp-written",     # the new index file is on disk under its temporary name
)


def crash_point(name: str) -> None:
    """SIGKILL this process when the environment asks for a crash at `name`."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
