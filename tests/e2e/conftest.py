"""A real server (uvicorn via `praktijkbank serve`) over a real catalogue, and headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks.concurrency import free_port, serve
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def cli(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A praktijkbank command over the catalogue in `home` (and the settings in `env`), run to its end."""
    env = {**os.environ, "PRAKTIJKBANK_HOME": str(home), **(env or {})}
    return subprocess.run([sys.executable, "-m", "api.cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)  # a safety net for a hung run, not a timing


@pytest.fixture(scope="session")
def server(e2e_catalogue):
    """A real server over data/ plus two hostile records, embedded with the real default model."""
    proc, base = serve(e2e_catalogue.wait())
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def postgres_e2e_server(e2e_catalogue, postgres_server, tmp_path_factory):
    """The same catalogue served from PostgreSQL: `praktijkbank migrate --to` copies the e2e
    server's SQLite catalogue (vectors included, nothing embedded again) into a database of its
    own, and a server with a catalogue folder of its own serves it."""
    url = postgres_server.url(postgres_server.create_database())
    copied = cli(e2e_catalogue.wait(), "migrate", "--to", url)
    assert copied.returncode == 0, copied.stdout + copied.stderr
    proc, base = serve(tmp_path_factory.mktemp("home-postgresql"), {"PRAKTIJKBANK_DATABASE_URL": url})
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def any_server(request):
    """The e2e server on each backend in turn: the same catalogue, vectors and requests."""
    return request.getfixturevalue("server" if request.param == "sqlite" else "postgres_e2e_server")


SMALL = 8  # the shortest bundled practices: embedding them (ingest, re-index) takes seconds


@pytest.fixture(scope="session")
def small_catalogue(tmp_path_factory) -> Path:
    """A SQLite catalogue of the 8 shortest bundled practices, ingested once with the real default
    model. The re-index e2e tests start from a copy: test_concurrency serves one, and
    test_two_servers migrates one into PostgreSQL."""
    data = tmp_path_factory.mktemp("small-data")
    for source in sorted((ROOT / "data" / "praktijken").glob("*.md"), key=lambda p: p.stat().st_size)[:SMALL]:
        shutil.copy(source, data / source.name)
    home = tmp_path_factory.mktemp("home-small")
    for args in (("init",), ("ingest", str(data))):
        done = cli(home, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    return home


def copy_of(home: Path, target: Path) -> Path:
    """A copy of a catalogue folder no process has open (the database, its index files)."""
    shutil.copytree(home, target, ignore=shutil.ignore_patterns("server.log"))
    return target


@pytest.fixture(scope="session")
def other_origin(tmp_path_factory, server):
    """A plain static site on another port that embeds the widget with one script tag."""
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text(
        f"""<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Regionaal platform</title></head>
<body><h1>Regionaal platform Limburg</h1>
<praktijk-zoeker id="alle" results="5"></praktijk-zoeker>
<praktijk-zoeker id="limburg" region="limburg" results="3"></praktijk-zoeker>
<script src="{server}/widget.js"></script></body></html>""", encoding="utf-8")
    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(SimpleHTTPRequestHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    yield pg
    context.close()
