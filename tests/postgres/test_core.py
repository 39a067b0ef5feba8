"""The whole application over PostgreSQL: chosen by URL, the same ranking as SQLite, and several
servers over one database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core import Praktijkbank
from api.http.app import create_app
from catalogue.model import parse_practice
from catalogue.settings import Settings
from catalogue.store_sqlite import SqliteStore
from ingest.pipeline import store_practices
from tests.conftest import SAMPLE, FakeEmbedder

QUERIES = ["taal oefenen nieuwkomers", "warme maaltijd", "jongeren huiswerk", "dakloos wonen",
           "digitale hulp formulieren", "recht op een toelage"]


@pytest.fixture
def pg_core(postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("api.core.make_embedder", lambda *a, **k: FakeEmbedder())
    opened: list[Praktijkbank] = []

    def make() -> Praktijkbank:
        core = Praktijkbank.from_settings(Settings(home=tmp_path / f"pg{len(opened)}", database_url=postgres_url))
        opened.append(core)
        return core

    yield make
    for core in opened:
        core.close()


def _fill(core: Praktijkbank) -> None:
    store_practices(core.store, [parse_practice(dict(d)) for d in SAMPLE], indexer=core.indexing)


def test_the_url_selects_postgresql_and_ranks_as_sqlite_does(pg_core, tmp_path):
    pg = pg_core()
    assert type(pg.store).__name__ == "PostgresStore" and type(pg.index).__name__ == "PgVectorIndex"
    _fill(pg)
    assert pg.indexing.check().ok
    lite = Praktijkbank.over(SqliteStore(tmp_path / "lite.db"), index_path=tmp_path / "lite.faiss",
                             embedder=FakeEmbedder())
    _fill(lite)
    try:
        for query in QUERIES:
            for mode in ("hybrid", "semantic", "lexical"):
                a, b = pg.search.search(query, mode=mode), lite.search.search(query, mode=mode)
                assert [h.practice.id for h in a.hits] == [h.practice.id for h in b.hits], (query, mode)
                assert (a.total, a.match) == (b.total, b.match)
                assert [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits], abs=1e-5)
                assert a.facets == b.facets
        assert [h.practice.id for h in pg.search.similar("taalcafe-gent")] == \
            [h.practice.id for h in lite.search.similar("taalcafe-gent")]
    finally:
        lite.close()


def test_a_write_through_one_server_is_found_on_the_other_within_a_second(pg_core):
    server_a, server_b = pg_core(), pg_core()
    _fill(server_a)
    server_b.store.warm()
    assert server_b.search.search("fietsherstel").total == 0
    server_a.operations.add(parse_practice({**SAMPLE[1], "id": "fietsatelier", "title": "Fietsatelier",
                                            "summary": "Buurtbewoners leren samen fietsherstel."}))
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        found = [h.practice.id for h in server_b.search.search("fietsherstel").hits]
        if found:
            break
        time.sleep(0.02)
    assert found == ["fietsatelier"]


def test_the_http_api_serves_from_postgresql(pg_core, tmp_path):
    core = pg_core()
    _fill(core)
    settings = Settings(home=tmp_path / "http")
    with TestClient(create_app(settings, core)) as client:
        health = client.get("/health").json()
        assert health["ready"], health
        body = client.get("/api/search", params={"q": "warme maaltijd"}).json()
        assert body["results"][0]["id"] == "buurtrestaurant-antwerpen"
        key = core.keys.create("curator")
        created = client.post("/api/practices", headers={"X-API-Key": key},
                              json={**SAMPLE[2], "id": "nieuw-via-http", "title": "Nieuw via HTTP"})
        assert created.status_code == 201, created.text
        assert client.get("/api/practices/nieuw-via-http").status_code == 200


def test_the_hnsw_opt_in_reaches_the_index(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setattr("api.core.make_embedder", lambda *a, **k: FakeEmbedder())
    core = Praktijkbank.from_settings(Settings(home=tmp_path, database_url=postgres_url, hnsw_ef_search=64))
    try:
        assert core.index.ef_search == 64  # type: ignore[attr-defined]
    finally:
        core.close()
