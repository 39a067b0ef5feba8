from __future__ import annotations

import numpy as np
import pytest

from catalogue.errors import IndexMissing, IndexOutOfDate
from catalogue.model import parse_practice
from search.engine import SearchEngine
from search.index_faiss import FaissIndex
from tests.conftest import FakeEmbedder


def _unit(rng, n, d):
    v = rng.normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_faiss_ids_survive_removal_and_subset_search_is_exact(tmp_path):
    rng = np.random.default_rng(0)
    index = FaissIndex(16, "t")
    vecs = _unit(rng, 50, 16)
    rids = list(range(100, 150))
    index.upsert(rids, vecs, [f"h{r}" for r in rids])
    index.remove([100, 101, 120])
    q = vecs[30]
    assert index.search(q, 1)[0][0] == 130
    subset = [105, 106, 130, 149]
    got = index.search(q, 10, rids=subset)
    brute = sorted(((r, float(vecs[r - 100] @ q)) for r in subset), key=lambda x: -x[1])
    assert [r for r, _ in got] == [r for r, _ in brute]
    assert np.allclose(index.vector(149), vecs[49])
    index.save(tmp_path / "i.faiss")
    loaded = FaissIndex.load(tmp_path / "i.faiss")
    assert len(loaded) == 47 and loaded.stamp.checksum == index.stamp.checksum


def test_selector_path_for_large_candidate_sets(monkeypatch):
    import search.index_faiss as mod

    monkeypatch.setattr(mod, "SUBSET_SCAN_LIMIT", 2)
    rng = np.random.default_rng(1)
    index = FaissIndex(8, "t")
    vecs = _unit(rng, 30, 8)
    index.upsert(list(range(30)), vecs, ["h"] * 30)
    subset = [3, 7, 11, 19, 23]
    got = index.search(vecs[0], 3, rids=subset)
    assert {r for r, _ in got} <= set(subset) and len(got) == 3


def test_incremental_updates_equal_full_rebuild(store, engine, sample, tmp_path):
    practices = [parse_practice(d) for d in sample]
    store.upsert_many(practices[:3])
    engine.sync()
    store.upsert_many(practices[3:])
    engine.sync()
    store.upsert_many([practices[0].model_copy(update={"summary": "Nieuwe tekst over taal en ontmoeting."})])
    engine.sync()
    engine.remove(practices[1].id)
    incremental = engine.index()
    rebuilt = SearchEngine(store, index_path=tmp_path / "rebuilt.faiss", embedder=FakeEmbedder())
    rebuilt.sync(rebuild=True)
    fresh = rebuilt.index()
    assert incremental.stamp.checksum == fresh.stamp.checksum
    for rid in fresh.stamp.entries:
        assert np.allclose(incremental.vector(rid), fresh.vector(rid), atol=1e-6)


def test_stamp_mismatch_with_embedder_is_a_clear_error(store, engine, sample, tmp_path):
    store.upsert_many([parse_practice(d) for d in sample])
    engine.sync()

    class Other(FakeEmbedder):
        name = "other/model"

    other = SearchEngine(store, index_path=engine.index_path, embedder=Other())
    with pytest.raises(IndexOutOfDate, match="praktijkbank reindex"):
        other.index()


def test_catalogue_drift_is_detected_and_repaired(store, engine, sample):
    store.upsert_many([parse_practice(d) for d in sample])
    engine.sync()
    store.delete(sample[0]["id"])  # behind the engine's back, like a crash before the index write
    with pytest.raises(IndexOutOfDate, match="check --repair"):
        engine.verify_fresh()
    report = engine.check()
    assert not report.ok and report.drift.extra
    engine.repair()
    assert engine.check().ok


def test_missing_index_names_reindex(engine):
    with pytest.raises(IndexMissing, match="praktijkbank reindex"):
        engine.index()


def test_corrupt_index_file_is_a_clear_error(engine):
    engine.index_path.write_bytes(b"garbage")
    with pytest.raises(IndexOutOfDate, match="onleesbaar"):
        engine.index()
