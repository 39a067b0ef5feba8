from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogue.store import make_filters
from ingest.pipeline import ingest_paths
from tests.conftest import ROOT
from tests.ingest.test_readers import _bad, _good


def _write(path: Path, records) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_summary_counts_and_idempotency(store, core, tmp_path):
    path = _write(tmp_path / "p.jsonl", [_good(1), _good(2), _bad(3)])
    first = ingest_paths(store, [path], indexer=core.indexing)
    assert (len(first.added), len(first.updated), len(first.unchanged), len(first.rejected)) == (2, 0, 0, 1)
    second = ingest_paths(store, [path], indexer=core.indexing)
    assert (len(second.added), len(second.updated), len(second.unchanged)) == (0, 0, 2)
    _write(path, [_good(1, summary="Een vernieuwde samenvatting van het project."), _good(2)])
    third = ingest_paths(store, [path], indexer=core.indexing)
    assert (third.updated, len(third.unchanged)) == (["praktijk-1"], 1)
    assert core.indexing.check().ok


def test_strict_writes_nothing_when_a_record_is_bad(store, core, tmp_path):
    path = _write(tmp_path / "p.jsonl", [_good(1), _bad(2)])
    report = ingest_paths(store, [path], indexer=core.indexing, strict=True)
    assert report.strict_aborted and store.count() == 0


def test_dry_run_writes_nothing(store, core, tmp_path):
    path = _write(tmp_path / "p.jsonl", [_good(1), _good(2)])
    report = ingest_paths(store, [path], indexer=core.indexing, dry_run=True)
    assert len(report.added) == 2 and store.count() == 0
    assert not core.index.path.exists()


def test_embedding_failure_leaves_catalogue_untouched(store, core, tmp_path, monkeypatch):
    ingest_paths(store, [_write(tmp_path / "a.jsonl", [_good(1)])], indexer=core.indexing)
    before = store.get("praktijk-1")

    def boom(*a, **k):
        raise RuntimeError("model crashed")

    monkeypatch.setattr(core.embedder, "encode_documents", boom)
    path = _write(tmp_path / "b.jsonl", [_good(1, summary="Gewijzigde samenvatting voor de test."), _good(2)])
    with pytest.raises(RuntimeError):
        ingest_paths(store, [path], indexer=core.indexing)
    assert store.count() == 1 and store.get("praktijk-1") == before


def test_bundled_catalogue_ingests_cleanly(store, core):
    report = ingest_paths(store, [ROOT / "data"], indexer=core.indexing)
    assert report.rejected == []
    assert len(report.added) >= 30
    practices = store.list_practices(make_filters())
    ids = {p.id for p in practices}
    titles = " ".join(p.title.lower() for p in practices)
    for name in ("babbelon", "meubelfabriek", "cocon", "enchant", "sociaal huis mechelen"):
        assert name in titles, name
    assert any("saamo" in p.id and "wandel" in p.id for p in practices)
    assert {p.region for p in practices} >= {"antwerpen", "brussel", "limburg", "oost-vlaanderen",
                                             "vlaams-brabant", "west-vlaanderen"}
    assert {k for p in practices for k in p.krachtlijnen} == {"verbindend", "laagdrempelig", "politiserend",
                                                              "generalistisch", "procesmatig"}
    assert all(p.source_url and p.source_url.startswith("http") for p in practices)
    assert len(ids) == len(practices)
    assert core.indexing.check().ok
