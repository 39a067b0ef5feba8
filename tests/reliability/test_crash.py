"""kill -9 at named points of ingest, edit and reindex: SQLite stays intact, the index is the old
valid one or detectably stale, and `check --repair` brings everything back without data loss.

Each run is a real `praktijkbank` subprocess that SIGKILLs itself at the point named in
PRAKTIJKBANK_CRASH_AT (catalogue/faults.py), so the crash lands at an exact step, not a moment.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from catalogue.faults import ENV, POINTS
from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.realmodel

FIRST, SECOND = SAMPLE[:3], SAMPLE[3:]


def cli(home: Path, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRAKTIJKBANK_HOME": str(home), "PRAKTIJKBANK_EMBEDDER": "e5-small"}
    env.pop(ENV, None)
    if crash_at:
        env[ENV] = crash_at
    return subprocess.run([sys.executable, "-m", "api.cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def sqlite_state(home: Path) -> tuple[str, int]:
    conn = sqlite3.connect(home / "praktijkbank.db")
    try:
        return (conn.execute("PRAGMA integrity_check").fetchone()[0],
                conn.execute("SELECT count(*) FROM practices").fetchone()[0])
    finally:
        conn.close()


def check(home: Path) -> tuple[int, dict]:
    result = cli(home, "check", "--json")
    return result.returncode, json.loads(result.stdout)


@pytest.fixture(scope="module")
def first_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FIRST, ingested once per module by a real `praktijkbank` process."""
    scratch = tmp_path_factory.mktemp("crash-first")
    home = scratch / "home"
    assert cli(home, "ingest", str(write_jsonl(scratch / "first.jsonl", FIRST))).returncode == 0
    return home


@pytest.fixture
def home(tmp_path: Path, first_home: Path) -> Path:
    """A copy of the ingested FIRST for each test, which its crash may leave half-written."""
    return Path(shutil.copytree(first_home, tmp_path / "home"))


# Where each crash point leaves the catalogue: before the commit the batch is absent, after it
# the batch is stored and the index is stale until repaired.
EXPECTED = {
    "ingest:embedded": len(FIRST),
    "store:mid-transaction": len(FIRST),
    "ingest:committed": len(SAMPLE),
    "index:temp-written": len(SAMPLE),
}


def test_every_crash_point_is_covered():
    assert set(EXPECTED) == set(POINTS)


@pytest.mark.parametrize("point", POINTS)
def test_kill_during_ingest(home, tmp_path, point):
    crashed = cli(home, "ingest", str(write_jsonl(tmp_path / "second.jsonl", SECOND)), crash_at=point)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    integrity, count = sqlite_state(home)
    assert integrity == "ok"
    assert count == EXPECTED[point]  # all of the batch or none of it
    code, report = check(home)
    assert report["index_count"] == len(FIRST)  # the old index file, still readable
    assert (code == 0) == (count == len(FIRST))  # stale is reported, with a non-zero exit

    assert cli(home, "check", "--repair").returncode == 0
    code, report = check(home)
    assert code == 0 and report["index_count"] == count
    assert not list(home.glob(".index-*.tmp"))
    if count == len(SAMPLE):
        found = json.loads(cli(home, "search", SECOND[0]["title"], "--json").stdout)
        assert found["results"][0]["id"] == SECOND[0]["id"]


def test_kill_during_edit_keeps_old_or_new_title(home):
    pid = FIRST[0]["id"]
    crashed = cli(home, "edit", pid, "--set", "title=Nieuwe titel na bewerking",
                  crash_at="ingest:committed")
    assert crashed.returncode == -signal.SIGKILL
    assert sqlite_state(home)[0] == "ok"
    code, report = check(home)
    assert code == 1 and report["problems"]  # the index still has the old text: stale, and said so
    assert cli(home, "check", "--repair").returncode == 0
    shown = json.loads(cli(home, "show", pid, "--json").stdout)
    assert shown["title"] == "Nieuwe titel na bewerking"
    assert check(home)[0] == 0


def test_kill_during_reindex_leaves_the_old_index_valid(home):
    crashed = cli(home, "reindex", crash_at="index:temp-written")
    assert crashed.returncode == -signal.SIGKILL
    code, report = check(home)
    assert code == 0 and report["index_count"] == len(FIRST)
    assert list(home.glob(".index-*.tmp"))  # the crashed writer's leftover...
    assert cli(home, "reindex").returncode == 0
    assert not list(home.glob(".index-*.tmp"))  # ...is cleaned by the next writer
