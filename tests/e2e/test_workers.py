"""`praktijkbank serve --workers 2` (issue 19): two processes on one port, each warmed before it
serves, and a write through either (or the CLI) seen by both."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psutil
import pytest

from tests.conftest import ROOT, SAMPLE
from tests.e2e.conftest import cli, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]

NEW = {"id": "fietsbieb-hasselt", "title": "Fietsbibliotheek voor kinderen",
       "summary": "Gezinnen lenen kinderfietsen voor een klein bedrag en ruilen ze als hun kind groeit.",
       "organisation": "Fietsbieb Hasselt", "municipality": "Hasselt", "sectors": ["mobiliteit"],
       "krachtlijnen": ["laagdrempelig"]}
LATER = {"id": "repaircafe-mechelen", "title": "Repaircafé in de wijkwerking",
         "summary": "Vrijwilligers herstellen samen met buurtbewoners kapotte toestellen en kledij.",
         "organisation": "Wijkwerking Mechelen", "municipality": "Mechelen", "sectors": ["welzijn"],
         "krachtlijnen": ["verbindend"]}


@pytest.fixture
def two_workers(tmp_path):
    home = tmp_path / "home"
    source = tmp_path / "sample.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in SAMPLE), encoding="utf-8")
    for args in (("init",), ("ingest", str(source))):
        done = cli(home, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    key = cli(home, "keys", "create", "test").stdout.strip().splitlines()[-1]
    port = free_port()
    env = {**os.environ, "PRAKTIJKBANK_HOME": str(home), "PRAKTIJKBANK_SEARCH_RATE": "1000000/minute"}
    log_path = home / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli.main", "serve", "--port", str(port),
                                 "--workers", "2"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield proc, port, key, home, log_path
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _ready(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> list[int]:
    """Wait until both workers have started; their pids."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, log_path.read_text(encoding="utf-8")
        log = log_path.read_text(encoding="utf-8")
        children = {p.pid for p in psutil.Process(proc.pid).children()}
        workers = [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log)]
        if len(workers) == 2 and set(workers) <= children and log.count("Application startup complete") == 2:
            return workers
        time.sleep(0.2)
    raise AssertionError("two workers did not start: " + log_path.read_text(encoding="utf-8"))


def _search(port: int, workers: list[int], query: str) -> tuple[int, list[str]]:
    """One search on a fresh connection: the worker that accepted it, and the ids it found."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.connect()
        local = conn.sock.getsockname()[1]
        conn.request("GET", "/api/search?" + urlencode({"q": query, "per_page": 50, "facets": ""}))
        response = conn.getresponse()
        assert response.status == 200
        ids = [r["id"] for r in json.loads(response.read())["results"]]
        owner = next(pid for pid in workers for c in psutil.Process(pid).net_connections("tcp")
                     if c.raddr and c.raddr.port == local and c.laddr.port == port)
        return owner, ids
    finally:
        conn.close()


def _seen_by_both(port: int, workers: list[int], query: str, practice_id: str) -> dict[int, int]:
    """Searches on new connections until each worker has answered twice; the ones that found it."""
    found: dict[int, int] = {pid: 0 for pid in workers}
    answered: dict[int, int] = {pid: 0 for pid in workers}
    for _ in range(200):
        owner, ids = _search(port, workers, query)
        answered[owner] += 1
        found[owner] += practice_id in ids
        if min(answered.values()) >= 2:
            break
    assert min(answered.values()) >= 2, f"one worker answered every request: {answered}"
    assert found == answered, f"a worker missed {practice_id}: found {found} of {answered}"
    return found


def test_two_workers_warm_up_and_see_every_write(two_workers):
    proc, port, key, home, log_path = two_workers
    workers = _ready(proc, port, log_path)
    log = log_path.read_text(encoding="utf-8")
    warmed = {int(pid) for pid in re.findall(r"Proces (\d+): model \S+ geladen en opgewarmd", log)}
    assert warmed == set(workers)  # each worker loaded and used the model before it served

    # A write through the API, to whichever worker accepts it.
    r = httpx.post(f"http://127.0.0.1:{port}/api/practices", json=NEW, headers={"X-API-Key": key}, timeout=120)
    assert r.status_code == 201, r.text
    _seen_by_both(port, workers, "kinderfietsen lenen", NEW["id"])

    # A write from the CLI while the server runs.
    source = home.parent / "later.jsonl"
    source.write_text(json.dumps(LATER) + "\n", encoding="utf-8")
    done = cli(home, "ingest", str(source))
    assert done.returncode == 0, done.stdout + done.stderr
    _seen_by_both(port, workers, "repaircafé toestellen herstellen", LATER["id"])

    # And a removal through the API is gone from both.
    r = httpx.delete(f"http://127.0.0.1:{port}/api/practices/{NEW['id']}", headers={"X-API-Key": key}, timeout=120)
    assert r.status_code in (200, 204), r.text
    for _ in range(10):
        assert NEW["id"] not in _search(port, workers, "kinderfietsen lenen")[1]
