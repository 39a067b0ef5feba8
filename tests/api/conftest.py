from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli.main import app
from api.http.app import create_app
from catalogue.keys_sqlite import SqliteKeyStore
from catalogue.model import parse_practice


@pytest.fixture
def client(store, core, sample, settings):
    store.upsert_many([parse_practice(d) for d in sample])
    core.indexing.sync()
    settings.submission_rate = "3/minute"
    with TestClient(create_app(settings, core)) as c:
        yield c


@pytest.fixture
def api_key(store):
    return SqliteKeyStore(store).create("test")


@pytest.fixture
def make_cli(tmp_path, monkeypatch):
    """The `praktijkbank` CLI over a fresh home, run in process; `fake` swaps in the fast embedder."""

    def make(*, fake: bool = False):
        monkeypatch.setenv("PRAKTIJKBANK_HOME", str(tmp_path / "home"))
        monkeypatch.delenv("PRAKTIJKBANK_EMBEDDER", raising=False)  # the real default
        if fake:
            from tests.conftest import FakeEmbedder

            monkeypatch.setattr("api.core.make_embedder", lambda spec, **kwargs: FakeEmbedder())
        runner = CliRunner()

        def run(*args, input=None):
            return runner.invoke(app, [str(a) for a in args], input=input)

        return run

    return make


def ingest_sample(cli, tmp_path, sample):
    """Ingest the sample records through the CLI; the run must succeed."""
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in sample) + "\n", encoding="utf-8")
    result = cli("ingest", path)
    assert result.exit_code == 0, result.output
    return result
