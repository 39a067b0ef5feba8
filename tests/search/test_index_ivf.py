"""The approximate index (FAISS IVF) for large catalogues: kept in step, persisted, filtered."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

import search.index_faiss as mod
from search.index_faiss import FaissIndex


def _unit(rng, n, d):
    v = rng.normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def large(monkeypatch):
    """3,000 vectors count as a large catalogue here; subsets above 100 ids use a selector."""
    monkeypatch.setattr(mod, "IVF_MIN_ROWS", 1000)
    monkeypatch.setattr(mod, "SUBSET_SCAN_LIMIT", 100)
    rng = np.random.default_rng(7)
    vectors = _unit(rng, 3000, 16)
    index = FaissIndex(16, "t")
    rids = list(range(1, 3001))
    index.upsert(rids, vectors, [f"h{r}" for r in rids])
    return index, vectors, rng


def _exact(vectors, query, rids, k):
    scores = {r: float(vectors[r - 1] @ query) for r in rids}
    return sorted(scores, key=lambda r: -scores[r])[:k]


def test_scanning_every_group_equals_the_exact_search(large):
    index, vectors, rng = large
    index.nprobe = 4096
    query = _unit(rng, 1, 16)[0]
    index.search(query, 20)
    assert index.ivf is None  # a search never builds it: until then it scans exactly
    assert index.ensure_ivf()
    got = index.search(query, 20)
    assert index.ivf.nlist == 76  # 3000 // 39 training vectors per group
    assert [r for r, _ in got] == _exact(vectors, query, range(1, 3001), 20)
    assert np.allclose([s for _, s in got], [vectors[r - 1] @ query for r, _ in got], atol=1e-5)


def test_few_groups_find_most_of_the_exact_top_ten(large):
    index, vectors, rng = large
    index.nprobe = 8
    index.ensure_ivf()
    queries = _unit(rng, 20, 16)
    found = [len({r for r, _ in index.search(q, 10)} & set(_exact(vectors, q, range(1, 3001), 10)))
             for q in queries]
    assert 0.5 < sum(found) / 200 < 1.0  # approximate: cheaper, and not exact


def test_updates_and_removals_reach_the_approximate_index(large):
    index, vectors, rng = large
    index.nprobe = 4096
    index.ensure_ivf()
    query = vectors[41]
    assert index.search(query, 1)[0][0] == 42
    index.remove([42])
    assert 42 not in {r for r, _ in index.search(query, 50)}
    index.upsert([7], query.reshape(1, -1), ["new"])
    assert index.search(query, 1)[0] == (7, pytest.approx(1.0, abs=1e-5))
    assert index.ivf.ntotal == len(index) == 2999


def test_filtered_search_returns_only_candidates_and_probes_more_groups(large):
    index, vectors, rng = large
    index.nprobe = 4
    index.ensure_ivf()
    query = _unit(rng, 1, 16)[0]
    candidates = sorted(rng.choice(np.arange(1, 3001), 300, replace=False).tolist())
    got = [r for r, _ in index.search(query, 30, rids=candidates)]
    assert set(got) <= set(candidates) and len(got) == 30
    # a 10% filter scans 10x the groups (4 -> 40 of 76): nearly the exact answer
    overlap = set(got) & set(_exact(vectors, query, candidates, 30))
    assert len(overlap) >= 27


def test_the_approximate_index_is_saved_and_a_stale_one_is_dropped(large, tmp_path):
    index, vectors, rng = large
    index.nprobe = 16
    index.ensure_ivf()
    index.save(tmp_path / "i.faiss")
    loaded = FaissIndex.load(tmp_path / "i.faiss")
    assert loaded.ivf is not None and loaded.ivf.ntotal == 3000
    loaded.nprobe = 16
    query = vectors[99]
    assert loaded.search(query, 5) == index.search(query, 5)
    # an IVF that misses vectors (a file written by hand, or a bug) is not trusted
    with np.load(tmp_path / "i.faiss") as data:
        arrays = dict(data)
    partial = faiss.deserialize_index(arrays["ivf"])
    partial.remove_ids(faiss.IDSelectorBatch(np.array([5], dtype=np.int64)))
    arrays["ivf"] = faiss.serialize_index(partial)
    with open(tmp_path / "j.faiss", "wb") as fh:
        np.savez(fh, **arrays)
    assert FaissIndex.load(tmp_path / "j.faiss").ivf is None


def test_small_catalogues_are_always_searched_exactly(monkeypatch):
    monkeypatch.setattr(mod, "IVF_MIN_ROWS", 1000)
    index = FaissIndex(16, "t")
    vectors = _unit(np.random.default_rng(1), 500, 16)
    index.upsert(list(range(500)), vectors, ["h"] * 500)
    index.nprobe = 1
    assert index.ensure_ivf() is False
    assert index.search(vectors[3], 1)[0][0] == 3 and index.ivf is None


def test_the_engine_saves_the_approximate_index_when_configured(monkeypatch, store, sample, tmp_path):
    from catalogue.model import parse_practice
    from search.service import Tuning
    from tests.conftest import FakeEmbedder, make_core

    monkeypatch.setattr(mod, "IVF_MIN_ROWS", 2)
    store.upsert_many([parse_practice(d) for d in sample])
    core = make_core(store, index_path=tmp_path / "i.faiss", embedder=FakeEmbedder(),
                          tuning=Tuning(ivf_nprobe=4096))
    core.indexing.sync()
    assert FaissIndex.load(tmp_path / "i.faiss").ivf is not None
    core.warm()
    assert core.is_warm()
    exact = make_core(store, index_path=tmp_path / "i.faiss", embedder=FakeEmbedder())
    query = "jongeren huiswerk"
    assert [h.practice.id for h in core.search.search(query, mode="semantic").hits] == \
        [h.practice.id for h in exact.search.search(query, mode="semantic").hits]
