"""The smaller faults of the probe: every problem of a record at once, a read-only catalogue that
says so (503 and 'Fout: ...', /health not ready), and `draft` that never waits on an editor
without a terminal."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from catalogue.errors import InvalidRecord
from catalogue.keys_sqlite import SqliteKeyStore
from catalogue.model import parse_practice
from catalogue.store_sqlite import SqliteStore
from tests.api.conftest import ingest_sample
from tests.conftest import SAMPLE, FakeEmbedder, make_core


def test_a_record_gets_all_its_problems_at_once():
    with pytest.raises(InvalidRecord) as info:
        parse_practice({**SAMPLE[1], "region": "Mars", "krachtlijnen": ["vliegend"], "summary": "kort"})
    fields = {issue.field for issue in info.value.issues}
    assert {"region", "krachtlijnen", "summary"} <= fields


def test_the_derived_id_never_fails_on_a_title_without_letters():
    practice = parse_practice({**SAMPLE[1], "id": None, "title": "🙂🙂"})
    assert practice.id.startswith("praktijk-")


class QueryOnly(SqliteStore):
    """A store whose connections cannot write, as on a read-only file or mount."""

    @property
    def db(self):
        fresh = getattr(self.connections._local, "db", None) is None
        db = super().db
        if fresh:
            db.execute("PRAGMA query_only = ON")
        return db


@pytest.fixture
def read_only(tmp_path, settings):
    writable = SqliteStore(tmp_path / "praktijkbank.db")
    writable.upsert_many([parse_practice(d) for d in SAMPLE])
    key = SqliteKeyStore(writable).create("curator")
    core = make_core(writable, index_path=tmp_path / "index.faiss", embedder=FakeEmbedder())
    core.indexing.sync()
    writable.close()
    store = QueryOnly(tmp_path / "praktijkbank.db")
    core = make_core(store, index_path=tmp_path / "index.faiss", embedder=FakeEmbedder())
    with TestClient(create_app(settings, core)) as client:
        yield client, key
    store.close()


def test_a_read_only_catalogue_is_a_503_and_health_says_so(read_only):
    client, key = read_only
    assert client.get("/api/search", params={"q": "taal"}).status_code == 200  # reading still works
    new = {**SAMPLE[0], "id": "nieuw", "title": "Nieuwe praktijk"}
    r = client.post("/api/practices", json=new, headers={"X-API-Key": key})
    assert r.status_code == 503, r.text
    assert "alleen gelezen" in r.json()["detail"]
    health = client.get("/health")
    assert health.status_code == 503 and not health.json()["ready"]
    assert any("alleen gelezen" in p for p in health.json()["problems"])


def test_a_read_only_catalogue_is_a_dutch_error_in_the_cli(make_cli, tmp_path, sample, monkeypatch):
    cli = make_cli(fake=True)
    ingest_sample(cli, tmp_path, sample)
    monkeypatch.setattr("api.core.SqliteStore", QueryOnly)
    result = cli("edit", "taalcafe-gent", "--set", "title=Een andere titel")
    assert result.exit_code == 1
    assert "Fout:" in result.output and "alleen gelezen" in result.output
    assert "Traceback" not in result.output


ARTICLE = ("Soepbar in Mechelen\n\nIn Mechelen opende Buurtwerk Noord een soepbar waar buurtbewoners "
           "elke dinsdag samen eten. Vrijwilligers koken met overschotten van de markt.\n")


def test_draft_without_a_terminal_does_not_open_the_editor(make_cli, tmp_path, sample, monkeypatch):
    cli = make_cli(fake=True)
    ingest_sample(cli, tmp_path, sample)
    article = tmp_path / "soepbar.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    opened: list[str] = []
    monkeypatch.setattr("click.edit", lambda *args, **kwargs: opened.append("editor") or None)
    result = cli("draft", article)  # CliRunner: stdin and stdout are no terminal
    assert result.exit_code == 0, result.output
    assert opened == []
    assert "Geen terminal" in " ".join(result.output.split())
    assert json.loads(cli("submissions", "list", "--json").output)
