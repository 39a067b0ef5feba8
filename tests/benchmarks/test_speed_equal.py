"""The equal-work speed benchmark (issue 19): its query sources, turn-taking and report (no timings)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.speed_equal import END, START, QuerySource
from benchmarks.speed_equal_report import render, splice, targets
from benchmarks.speed_util import interleaved
from benchmarks.speed_vectors import CachedEmbedder
from tests.benchmarks.test_speed import CountingEmbedder


def test_query_source_switches_between_cache_model_and_product_cache(tmp_path: Path) -> None:
    real = CountingEmbedder()
    cached = CachedEmbedder.wrap(CountingEmbedder(), cache_dir=tmp_path)  # type: ignore[arg-type]
    source = QuerySource(cached, real)  # type: ignore[arg-type]
    cached.encode_queries(["armoede"])
    source.encode_queries(["armoede"])
    assert real.queries == []  # 'cached': the vector cache answers
    source.mode = "real"
    source.encode_queries(["armoede"])
    source.encode_queries(["armoede"])
    assert real.queries == ["armoede", "armoede"]
    source.mode = "product"
    first = source.encode_queries(["armoede"])
    again = source.encode_queries(["armoede"])
    assert real.queries == ["armoede"] * 3  # the product's cache: the model once more, then not
    np.testing.assert_array_equal(first, again)
    assert source.encode_documents(["x"]).shape == (1, real.dim)


def test_runs_take_turns_query_by_query() -> None:
    order: list[tuple[str, str]] = []

    def run(name: str):
        return lambda q: (order.append((name, q)), (3, 0.0))[1]

    stats = interleaved({"a": run("a"), "b": run("b")}, ["q1", "q2"], 2)
    assert order == [("b", "q1"), ("a", "q1"), ("a", "q2"), ("b", "q2")] * 2  # each query starts with the next
    assert stats["a"]["n"] == 4 and stats["b"]["hits"] == 3


def _lat(p50: float, mean: float | None = None) -> dict[str, float]:
    return {"p50": p50, "p95": p50 * 1.2, "mean": mean or p50, "n": 10, "hits": 10}


def _results(ours_ms: float, txtai_ms: float, workers_qps: float) -> dict:
    ours = {"equal": _lat(ours_ms), "txtai": _lat(txtai_ms), "full": _lat(ours_ms + 1),
            "e2e_equal": _lat(30), "e2e_full": _lat(31), "embed": _lat(25),
            "new_query": _lat(40), "repeated_query": _lat(4)}
    http = {f"{c}/{f}": {"p50": 33.0, "p95": 40.0, "qps": q, "clients": int(c)}
            for c, q in (("1", 30.0), ("8", 20.0)) for f in ("facets", "no_facets")}
    two = {k: {**v, "qps": v["qps"] * workers_qps} for k, v in http.items()}
    sizes = {str(n): {"ours": dict(ours)} for n in (1000, 10000)}
    sizes["10000"]["http"] = {"1": {**http, "peak_rss_mb": 400.0, "processes": 1},
                              "2": {**two, "peak_rss_mb": 800.0, "processes": 3}}
    return {"sizes": sizes, "query_embedding": _lat(25.0),
            "meta": {"embedder": "e5+use", "queries": 10, "repeat": 1},
            "ingest": {"records": 10, "raw_per_s": 4.0, "pipeline_per_s": 3.5, "overhead_ms_per_record": 2.0},
            "relevance": {"ours": {"hybrid": {"ndcg": 0.8, "mrr": 0.9, "recall": 0.8, "n": 10}},
                          "txtai": {"hybrid": {"ndcg": 0.7, "mrr": 0.8, "recall": 0.7, "n": 10}}}}


def test_targets_are_marked_met_or_missed_from_the_figures() -> None:
    good = {row[0]: row[3] for row in targets(_results(5.0, 12.0, 1.8))}
    assert good == {"1": "met", "2": "met", "3": "met", "4": "met", "5": "met"}
    bad = {row[0]: row[3] for row in targets(_results(8.0, 12.0, 1.5))}
    assert bad["1"] == "**missed**" and bad["4"] == "**missed**" and bad["3"] == "met"


def test_the_section_is_spliced_before_the_speed_targets_then_replaced(tmp_path: Path) -> None:
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text("# B\n\n## Speed\n\n### Targets\n\nold\n", encoding="utf-8")
    splice(doc, render(_results(5.0, 12.0, 1.8)), START, END)
    splice(doc, render(_results(5.0, 12.0, 1.8)), START, END)
    text = doc.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.index(END) < text.index("### Targets")
    assert "2.40x at 1k" in text


def test_a_run_without_the_fresh_process_embedding_renders_into_a_new_file(tmp_path: Path) -> None:
    # --skip-query-embedding without --merge, reported into a scratch file that does not exist yet
    results = _results(5.0, 12.0, 1.8)
    del results["query_embedding"]
    out = tmp_path / "scratch.md"
    splice(out, render(results), START, END)
    text = out.read_text(encoding="utf-8")
    assert text.count(START) == 1 and "2.40x at 1k" in text
    assert "fresh process" not in text
    assert "fresh process" in render(_results(5.0, 12.0, 1.8))
