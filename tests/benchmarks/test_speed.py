"""The speed benchmark: its building blocks, and the whole script at a tiny size (no timing checks)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmarks import peer_txtai
from benchmarks.speed_report import END, START, splice
from benchmarks.speed_util import Latency
from benchmarks.speed_vectors import CachedEmbedder, VectorCache, derived_matrix
from catalogue.store import make_filters

ROOT = Path(__file__).resolve().parents[2]


class CountingEmbedder:
    """A stand-in for the real model that counts what it is asked to embed."""

    name, dim, min_score = "fake/counting-8", 8, 0.5

    def __init__(self) -> None:
        self.documents: list[str] = []
        self.queries: list[str] = []

    def _vec(self, text: str, salt: int) -> np.ndarray:
        v = np.random.default_rng(sum(map(ord, text)) + salt).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def encode_documents(self, texts: Sequence[str], *, progress: Any = None) -> np.ndarray:
        self.documents += texts
        return np.stack([self._vec(t, 0) for t in texts])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries += texts
        return np.stack([self._vec(t, 1) for t in texts])


def _cached(tmp_path: Path) -> tuple[CachedEmbedder, CountingEmbedder]:
    real = CountingEmbedder()
    return CachedEmbedder.wrap(real, cache_dir=tmp_path), real  # type: ignore[arg-type]


def test_latency_percentiles() -> None:
    stats = Latency.of([float(i) for i in range(1, 101)], hits=[10] * 100)
    assert (stats.p50, round(stats.p95, 2), stats.mean, stats.n, stats.hits) == (50.5, 95.05, 50.5, 100, 10.0)
    assert stats.qps == pytest.approx(1000 / 50.5)
    assert Latency.of([]).n == 0


def test_cache_serves_real_vectors_once_embedded_and_survives_a_reload(tmp_path: Path) -> None:
    embedder, real = _cached(tmp_path)
    first = embedder.encode_documents(["a", "b"])
    again = embedder.encode_documents(["b", "a"])
    assert real.documents == ["a", "b"] and np.array_equal(first[::-1], again)
    embedder.encode_queries(["q"])
    embedder.encode_queries(["q"])
    assert real.queries == ["q"]
    embedder.cache.save()
    reloaded = VectorCache.for_embedder(real.name, real.dim, tmp_path)
    assert len(reloaded) == 3


def test_cache_keeps_keys_that_end_in_a_zero_byte(tmp_path: Path) -> None:
    """numpy's S16 dropped trailing NUL bytes: one key in 256 never hit the cache again."""
    cache = VectorCache(tmp_path / "v.npz", 2)
    key = b"\x07" * 15 + b"\0"
    cache.put(key, np.ones(2, np.float32))
    cache.save()
    assert VectorCache(tmp_path / "v.npz", 2).get(key) is not None


def test_uncached_texts_get_derived_vectors_once_bases_are_set(tmp_path: Path) -> None:
    embedder, real = _cached(tmp_path)
    embedder.warm(["a", "b", "c"], log=lambda _: None)
    embedder.set_bases(["a", "b", "c"])
    derived = embedder.encode_documents(["x", "y"])
    assert real.documents == ["a", "b", "c"] and embedder.derived == 2
    assert np.allclose(np.linalg.norm(derived, axis=1), 1.0)
    assert np.array_equal(derived, embedder.encode_documents(["x", "y"]))
    bases = embedder.bases
    assert bases is not None and (derived @ bases.T).max(axis=1).min() > 0.95


def test_derived_matrix_is_seeded_and_normalised() -> None:
    bases = np.eye(4, dtype=np.float32)
    one, two = derived_matrix(bases, 10, seed=3), derived_matrix(bases, 10, seed=3)
    assert one.shape == (10, 4) and np.array_equal(one, two)
    assert np.allclose(np.linalg.norm(one, axis=1), 1.0)
    assert not np.array_equal(one, derived_matrix(bases, 10, seed=4))


def test_txtai_transform_sends_queries_and_passages_to_the_right_encoder(tmp_path: Path) -> None:
    embedder, _ = _cached(tmp_path)
    out = peer_txtai.transform_for(embedder)(["query: armoede", "passage: een tekst", "query: wonen"])
    assert np.array_equal(out[0], embedder.encode_queries(["armoede"])[0])
    assert np.array_equal(out[1], embedder.encode_documents(["een tekst"])[0])
    assert np.array_equal(out[2], embedder.encode_queries(["wonen"])[0])


def test_txtai_filters_become_sql_over_its_content() -> None:
    filters = make_filters(region=["limburg", "brussel"], sector=["jeugd"], krachtlijn=["verbindend"])
    assert peer_txtai.where(filters) == ("region in ('limburg', 'brussel') and (sectors like '%|jeugd|%') "
                                         "and (krachtlijnen like '%|verbindend|%')")
    assert peer_txtai.where(make_filters()) == ""


def test_splice_rewrites_only_the_marked_section(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\n## Relevance\n\nkeep me\n", encoding="utf-8")
    splice(path, f"{START}\n## Speed\n\nfirst\n{END}")
    path.write_text(path.read_text() + "\n## Concurrency\n\nkeep me too\n", encoding="utf-8")
    splice(path, f"{START}\n## Speed\n\nsecond\n{END}")
    text = path.read_text()
    assert text.count(START) == 1 and "second" in text and "first" not in text
    assert "keep me\n" in text and text.rstrip().endswith("keep me too")


@pytest.mark.realmodel
@pytest.mark.e2e
def test_the_whole_benchmark_runs_at_a_tiny_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every stage once: corpus, vectors, ingest, both engines, HTTP server, FAISS, relevance, report."""
    import benchmarks.speed_ours
    import search.index_faiss
    from benchmarks.speed import main

    for module in (benchmarks.speed_ours, search.index_faiss):  # the approximate runs, at 20 too
        monkeypatch.setattr(module, "IVF_MIN_ROWS", 10)

    data = tmp_path / "data"
    data.mkdir()
    for source in sorted((ROOT / "data" / "praktijken").glob("*.md"), key=lambda p: p.stat().st_size)[:2]:
        shutil.copy(source, data / source.name)  # the two shortest: the real model embeds them
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n## Relevance\n\nuntouched\n", encoding="utf-8")
    results = main([
        "--sizes", "20", "--index-only", "300", "--real-limit", "12", "--ingest-size", "4",
        "--queries", "3", "--relevance-queries", "3", "--repeat", "1", "--http-requests", "2",
        "--cold-starts", "1", "--in-process", "--relevance-data", str(data),
        "--out", str(out), "--plot", str(tmp_path / "plot.png"), "--json", str(tmp_path / "speed.json"),
        "--cache-dir", str(tmp_path / "cache"), "--work-dir", str(tmp_path / "work"),
    ])
    assert set(results["sizes"]) == {"20"} and set(results["index_only"]) == {"20", "300"}
    at = results["sizes"]["20"]
    assert at["build"]["records"] == 20 and at["build"]["derived"] > 0  # past the real budget of 12
    assert set(at["ours"]["latency"]) == {f"{m}/{f}" for m in ("hybrid", "semantic", "lexical", "hybrid-ivf")
                                         for f in ("all", "filtered")}
    assert at["ours"]["ivf"]["groups"] == 1 and 0 <= at["ours"]["ivf"]["top10_kept/all"] <= 1
    assert at["txtai"]["latency"]["hybrid/all"]["n"] == 3 and at["http"]["cold_start_s"] > 0
    assert [t["clients"] for t in at["http"]["throughput"]] == [1, 8]
    assert results["relevance"]["txtai"]["hybrid"]["n"] == 3
    assert json.loads((tmp_path / "speed.json").read_text())["meta"]["real_limit"] == 12
    text = out.read_text(encoding="utf-8")
    assert "## Relevance\n\nuntouched" in text and text.count(START) == 1
    assert "### Targets" in text and "](plot.png)" in text and "Praktijkbank hybrid, IVF" in text
    assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"
    main(["--render", str(tmp_path / "speed.json"), "--out", str(out), "--plot", str(tmp_path / "plot.png")])
    assert out.read_text(encoding="utf-8") == text  # the report is a function of the results file
