"""The query-vector cache: same vectors as the model, bounded, shared, thread-safe."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from api.core import Praktijkbank
from catalogue.model import parse_practice
from catalogue.settings import Settings
from ingest.pipeline import store_practices
from search.embedders import Embedder
from search.embedders.query_cache import (
    CachedQueries,
    QueryCache,
    normalise_query,
    shared_cache,
    with_query_cache,
)
from tests.conftest import SAMPLE, FakeEmbedder


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the query texts that reach it."""

    def __init__(self, name: str = FakeEmbedder.name) -> None:
        self.name = name
        self.seen: list[str] = []
        self._lock = threading.Lock()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            self.seen.extend(texts)
        return super().encode_queries(texts)


def test_a_cached_vector_is_the_models_vector_and_the_model_runs_once() -> None:
    inner = CountingEmbedder()
    cached = CachedQueries(inner, QueryCache(16))
    first = cached.encode_queries(["taal oefenen met nieuwkomers"])
    again = cached.encode_queries(["taal oefenen met nieuwkomers"])
    expected = FakeEmbedder().encode_queries(["taal oefenen met nieuwkomers"])
    np.testing.assert_allclose(first, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(first, again)
    assert inner.seen == ["taal oefenen met nieuwkomers"]
    assert cached.cache.hits == 1 and cached.cache.misses == 1


def test_keys_are_normalised_but_case_and_accents_kept() -> None:
    assert normalise_query("  taal \t oefenen\n") == "taal oefenen"
    assert normalise_query("cafe\u0301") == "café"  # NFD -> NFC
    inner = CountingEmbedder()
    cached = CachedQueries(inner, QueryCache(16))
    cached.encode_queries(["taal  oefenen"])
    cached.encode_queries([" taal oefenen "])
    cached.encode_queries(["Taal oefenen"])  # the models read case: another key
    assert inner.seen == ["taal oefenen", "Taal oefenen"]


def test_a_batch_mixes_hits_and_misses_in_order_and_embeds_a_repeat_once() -> None:
    inner = CountingEmbedder()
    cached = CachedQueries(inner, QueryCache(16))
    cached.encode_queries(["armoede"])
    out = cached.encode_queries(["schuldhulp", "armoede", "schuldhulp"])
    expected = FakeEmbedder().encode_queries(["schuldhulp", "armoede", "schuldhulp"])
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
    assert inner.seen == ["armoede", "schuldhulp"]
    assert out.flags.writeable  # callers get their own array, the cache keeps its rows
    out[:] = 0
    np.testing.assert_allclose(cached.encode_queries(["armoede"]), expected[1:2], rtol=1e-6, atol=1e-7)
    assert cached.encode_queries([]).shape == (0, inner.dim)


def test_the_embedder_name_is_part_of_the_key() -> None:
    cache = QueryCache(16)
    a, b = CountingEmbedder("model-a"), CountingEmbedder("model-b")
    CachedQueries(a, cache).encode_queries(["ouderen"])
    CachedQueries(b, cache).encode_queries(["ouderen"])
    assert a.seen == ["ouderen"] and b.seen == ["ouderen"]
    assert len(cache) == 2


def test_least_recently_used_goes_first_when_full() -> None:
    inner = CountingEmbedder()
    cached = CachedQueries(inner, QueryCache(2))
    cached.encode_queries(["een"])
    cached.encode_queries(["twee"])
    cached.encode_queries(["een"])  # 'twee' is now the oldest
    cached.encode_queries(["drie"])
    assert len(cached.cache) == 2
    inner.seen.clear()
    cached.encode_queries(["een"])
    cached.encode_queries(["drie"])
    assert inner.seen == []
    cached.encode_queries(["twee"])
    assert inner.seen == ["twee"]


def test_the_byte_bound_holds() -> None:
    dim = FakeEmbedder.dim
    one = QueryCache(1000)._size(("x", "q0000"), np.zeros(dim, np.float32))
    cache = QueryCache(1000, max_bytes=3 * one)
    cached = CachedQueries(CountingEmbedder(), cache)
    for i in range(10):
        cached.encode_queries([f"q{i:04d}"])
    assert len(cache) == 3
    assert cache.nbytes <= 3 * one


def test_size_zero_is_off() -> None:
    inner = CountingEmbedder()
    assert with_query_cache(inner, 0) is inner
    cached = CachedQueries(inner, QueryCache(0))
    cached.encode_queries(["armoede"])
    cached.encode_queries(["armoede"])
    assert inner.seen == ["armoede", "armoede"]
    assert len(cached.cache) == 0


def test_the_wrapper_passes_documents_through_and_is_an_embedder() -> None:
    inner = CountingEmbedder()
    cached = with_query_cache(inner, 8)
    assert isinstance(cached, Embedder)
    assert (cached.name, cached.dim, cached.min_score) == (inner.name, inner.dim, inner.min_score)
    np.testing.assert_array_equal(cached.encode_documents(["a b"]), inner.encode_documents(["a b"]))
    assert inner.seen == []


def test_threads_share_one_cache_and_get_the_right_vectors() -> None:
    inner = CountingEmbedder()
    cached = CachedQueries(inner, QueryCache(64))
    texts = [f"vraag {i % 8}" for i in range(400)]
    expected = {t: FakeEmbedder().encode_queries([t])[0] for t in set(texts)}
    errors: list[str] = []

    def work(chunk: list[str]) -> None:
        for text in chunk:
            got = cached.encode_queries([text])[0]
            if not np.allclose(got, expected[text], rtol=1e-6, atol=1e-7):
                errors.append(text)

    threads = [threading.Thread(target=work, args=(texts[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(cached.cache) == 8
    # Two threads may miss the same text at once; still far fewer model calls than queries.
    assert 8 <= len(inner.seen) <= 8 * 4


def test_engines_from_settings_share_the_process_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = CountingEmbedder()
    monkeypatch.setattr("api.core.make_embedder", lambda *a, **k: inner)
    shared_cache(37).clear()
    cores = [Praktijkbank.from_settings(Settings(home=tmp_path / str(i), query_cache_size=37)) for i in range(2)]
    for core in cores:
        core.embedder.encode_queries(["mantelzorg"])
    assert inner.seen == ["mantelzorg"]
    assert all(isinstance(c.embedder.model, CachedQueries) for c in cores)
    off = Praktijkbank.from_settings(Settings(home=tmp_path / "off", query_cache_size=0))
    assert off.embedder.model is inner
    for core in [*cores, off]:
        core.close()


def test_a_search_twice_gives_the_same_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = CountingEmbedder()
    monkeypatch.setattr("api.core.make_embedder", lambda *a, **k: inner)
    shared_cache(11).clear()
    core = Praktijkbank.from_settings(Settings(home=tmp_path, query_cache_size=11))
    store_practices(core.store, [parse_practice(r) for r in SAMPLE], indexer=core.indexing)
    service = core.search
    first = service.search("nieuwkomers taal oefenen")
    calls = len(inner.seen)
    second = service.search("nieuwkomers  taal oefenen ")
    assert len(inner.seen) == calls
    assert [h.practice.id for h in first.hits] == [h.practice.id for h in second.hits]
    assert first.total == second.total
