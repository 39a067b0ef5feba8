"""A real PostgreSQL for the tests: one embedded server per session, one database per test.

The session server runs in `<tmp>/praktijkbank-pg-tests/run-<pid>/data` with fsync and
synchronous_commit off; a template database is migrated once, and every test that asks for
`postgres_url` gets its own copy (CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY).

The server is stopped when the session ends, at interpreter exit (atexit) and on SIGTERM.
A run killed outright (SIGKILL, OOM) leaves its server behind: the next session stops the
servers of runs whose owner process is gone before it starts its own (`reap_leftovers`).
Loaded from tests/conftest.py as a pytest plugin; nothing PostgreSQL is imported until a test
asks for one of its fixtures.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import shutil
import signal
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from catalogue.postgres.server import ServerStatus

BASE = Path(tempfile.gettempdir()) / "praktijkbank-pg-tests"
TEMPLATE = "pb_template"
TEST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
_OWNER = "owner.json"


def _owner_alive(run: Path) -> bool:
    """Whether the process that made `run` still runs (PID and start time, against PID reuse)."""
    import psutil

    try:
        owner = json.loads((run / _OWNER).read_text())
        return abs(psutil.Process(owner["pid"]).create_time() - owner["created"]) < 1.0
    except (FileNotFoundError, ValueError, KeyError, psutil.NoSuchProcess):
        return False


def claim_run(base: Path = BASE, name: str | None = None) -> Path:
    """A fresh folder (`run-<pid>` unless named) for this process, marked with its PID and start time."""
    import psutil

    run = base / (name or f"run-{os.getpid()}")
    shutil.rmtree(run, ignore_errors=True)  # a dead run with our reused PID
    run.mkdir(parents=True)
    me = psutil.Process()
    (run / _OWNER).write_text(json.dumps({"pid": me.pid, "created": me.create_time()}))
    return run


def reap_leftovers(base: Path = BASE) -> list[Path]:
    """Stop the servers in folders of earlier runs whose process is gone and remove the folders."""
    reaped = []
    for run in sorted(base.glob("*-*")):
        if run.is_dir() and not _owner_alive(run):
            stop_all(run)
            reaped.append(run)
    return reaped


def stop_all(folder: Path) -> None:
    """Stop every server in `folder` (at any depth) and remove the folder."""
    from catalogue.postgres import server

    for pid_file in folder.rglob("postmaster.pid"):
        server.stop(pid_file.parent)
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class PostgresTestServer:
    """The session's server: URLs of its databases, and per-test copies of the template."""

    run: Path
    status: ServerStatus
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str) -> str:
        return self.status.url(database)

    def create_database(self, template: str = TEMPLATE) -> str:
        """A new database copied from `template`; returns its name."""
        from psycopg import sql

        from catalogue.postgres.connection import connect
        from catalogue.postgres.server import MAINTENANCE_DB

        name = f"test_{next(self._numbers)}"
        with connect(self.url(MAINTENANCE_DB), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template)))
        return name

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        from catalogue.postgres.connection import connect
        from catalogue.postgres.server import MAINTENANCE_DB

        with connect(self.url(MAINTENANCE_DB), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def start_test_server(run: Path) -> PostgresTestServer:
    """Start a server in `run`/data, tuned for tests, with a migrated template database."""
    from catalogue.postgres import schema, server
    from catalogue.postgres.connection import connect

    status, _ = server.start(run / "data", database=TEMPLATE)
    server.configure(status.url(server.MAINTENANCE_DB), TEST_SETTINGS)
    with connect(status.url(TEMPLATE)) as conn:
        schema.migrate(conn)
    return PostgresTestServer(run=run, status=status)


def _shutdown_once(run: Path) -> Callable[[], None]:
    """Stop the server of `run` and remove the folder; safe to call from several exits."""
    lock = threading.Lock()
    done = False

    def shutdown() -> None:
        nonlocal done
        with lock:
            if done:
                return
            done = True
            stop_all(run)

    return shutdown


def _on_sigterm(shutdown: Callable[[], None]) -> None:
    """On SIGTERM (a CI timeout), stop the server, then die of SIGTERM as before."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return  # someone else handles it; atexit still covers a clean exit

    def handler(signum: int, frame: object) -> None:
        shutdown()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, handler)


def open_session_server(base: Path = BASE) -> tuple[PostgresTestServer, Callable[[], None]]:
    """Reap leftovers, start this process's server, and arrange that every exit stops it.

    Returns the server and its shutdown (idempotent; also registered with atexit and SIGTERM).
    """
    reap_leftovers(base)
    run = claim_run(base)
    shutdown = _shutdown_once(run)
    atexit.register(shutdown)
    _on_sigterm(shutdown)
    try:
        return start_test_server(run), shutdown
    except BaseException:
        shutdown()
        raise


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresTestServer]:
    """One embedded PostgreSQL for the whole session (started on first use)."""
    server, shutdown = open_session_server()
    try:
        yield server
    finally:
        shutdown()
        atexit.unregister(shutdown)


@pytest.fixture
def postgres_scratch() -> Iterator[Path]:
    """An empty folder for a test's own servers, all stopped afterwards.

    Not under pytest's tmp_path: every pytest session resets /tmp/pytest-of-<user> to mode 0700,
    and the server (running as another user when the tests run as root) then cannot enter it.
    """
    folder = claim_run(name=f"scratch-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    yield folder
    stop_all(folder)


@pytest.fixture
def postgres_url(postgres_server: PostgresTestServer) -> Iterator[str]:
    """The URL of a migrated database of this test's own, dropped afterwards."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)
