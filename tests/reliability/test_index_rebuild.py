"""A lost or damaged index: the server starts at once, answers keyword searches while the index
is rebuilt in a background thread (logged, with a percentage on /health), and no request waits.

The embedder used here holds the rebuild thread at a gate the test opens, so "no request waits"
is shown by requests that complete while the rebuild provably cannot finish. Every wait on the
background work is an explicit one (BackgroundRebuild.wait), never a sleep.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core import Praktijkbank
from api.http.app import create_app
from catalogue.keys_sqlite import SqliteKeyStore
from catalogue.model import parse_practice
from tests.conftest import SAMPLE, FakeEmbedder, make_core

GATE_TIMEOUT = 30  # only reached when the code under test is wrong (the old one rebuilt inline)


class GatedEmbedder(FakeEmbedder):
    """The fake embedder, except that the rebuild thread waits at a gate before embedding."""

    def __init__(self) -> None:
        self.gate = threading.Event()

    def encode_documents(self, texts, *, progress=None):
        if threading.current_thread().name.startswith("praktijkbank-rebuild"):
            self.gate.wait(GATE_TIMEOUT)
        return super().encode_documents(texts, progress=progress)


@pytest.fixture
def gated(store, tmp_path):
    store.upsert_many([parse_practice(d) for d in SAMPLE])
    embedder = GatedEmbedder()
    core = make_core(store, index_path=tmp_path / "index.faiss", embedder=embedder)
    core.indexing.sync()
    return core, embedder


def serve(core: Praktijkbank, settings) -> TestClient:
    return TestClient(create_app(settings, core))


def test_a_damaged_index_does_not_delay_start_and_keywords_answer(gated, settings, caplog):
    core, embedder = gated
    Path(core.index.path).write_bytes(b"kapot" * 100)
    caplog.set_level(logging.INFO, logger="praktijkbank.index")
    with serve(core, settings) as client:  # the lifespan returns while the rebuild is held
        health = client.get("/health")
        assert health.status_code == 200, health.text
        assert health.json()["status"] == "rebuilding"
        assert health.json()["rebuild_percent"] == 0.0
        found = client.get("/api/search", params={"q": "taalcafé"})
        assert found.status_code == 200
        assert found.json()["mode"] == "lexical"
        assert found.json()["results"][0]["id"] == "taalcafe-gent"

        embedder.gate.set()
        assert core.indexing.background.wait(GATE_TIMEOUT)
        health = client.get("/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.json()["rebuild_percent"] is None
        assert client.get("/api/search", params={"q": "taalcafé"}).json()["mode"] == "hybrid"
    assert "zoekindex: 6 van 6 ingebed (100%)" in caplog.text
    assert "zoekindex klaar: 6 vectoren" in caplog.text


def test_a_deleted_index_is_rebuilt_in_the_background_not_in_the_write(gated, settings, store):
    core, embedder = gated
    key = SqliteKeyStore(store).create("curator")
    with serve(core, settings) as client:
        assert client.get("/health").json()["status"] == "ok"
        Path(core.index.path).unlink()
        new = {**SAMPLE[0], "id": "nieuw-na-verlies", "title": "Nieuwe praktijk na het verlies"}
        created = client.post("/api/practices", json=new, headers={"X-API-Key": key})
        assert created.status_code == 201, created.text  # committed; the index is not rebuilt here
        assert client.get("/health").json()["status"] == "rebuilding"
        assert client.get("/api/search", params={"q": "nieuwe praktijk"}).json()["mode"] == "lexical"

        embedder.gate.set()
        assert core.indexing.background.wait(GATE_TIMEOUT)
        assert core.indexing.check().ok
        assert client.get("/health").json()["index_count"] == len(SAMPLE) + 1


def test_the_cli_still_repairs_in_the_foreground(gated):
    core, embedder = gated
    Path(core.index.path).unlink()
    embedder.gate.set()
    report = core.indexing.repair()
    assert report.total == len(SAMPLE) and core.indexing.background is None


def test_a_write_to_an_empty_catalogue_is_indexed_in_the_request(store, tmp_path, settings):
    embedder = GatedEmbedder()
    core = make_core(store, index_path=tmp_path / "index.faiss", embedder=embedder)
    key = SqliteKeyStore(store).create("curator")
    with serve(core, settings) as client:
        embedder.gate.set()  # the start-up round makes the empty index
        assert core.indexing.background.wait(GATE_TIMEOUT)
        embedder.gate.clear()  # from here on a background round would wait: none may be needed
        assert client.post("/api/practices", json=SAMPLE[0], headers={"X-API-Key": key}).status_code == 201
        assert not core.indexing.background.running
        assert core.indexing.check().ok
