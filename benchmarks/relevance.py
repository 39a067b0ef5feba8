"""Relevance benchmark: nDCG@10, MRR@10 and recall@10 on the Dutch relevance set, per mode.

Usage: python -m benchmarks.relevance [--embedder e5-small] [--embedder minilm] [--out FILE]
Builds a catalogue from data/ in a temporary folder with each embedder, runs every query of
benchmarks/relevance/queries.yaml in lexical, semantic and hybrid mode, and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from catalogue.store import make_filters, open_store
from ingest.pipeline import ingest_paths
from search.embedders import make_embedder
from search.engine import SearchEngine
from search.service import SearchService, Tuning

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "benchmarks" / "relevance" / "queries.yaml"
K = 10


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]


def ndcg(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    dcg = sum((2 ** grades.get(pid, 0) - 1) / math.log2(i + 2) for i, pid in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    for i, pid in enumerate(ranked[:k]):
        if grades.get(pid, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    relevant = {pid for pid, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


@dataclass
class Scores:
    ndcg: float
    mrr: float
    recall: float
    n: int


def evaluate(service: SearchService, queries: list[dict[str, Any]], mode: str) -> Scores:
    totals = [0.0, 0.0, 0.0]
    for q in queries:
        filters = make_filters(**(q.get("filters") or {}))
        result = service.search(q["query"], filters=filters, mode=mode, per_page=K)
        ranked = [h.practice.id for h in result.hits]
        grades = {pid: int(g) for pid, g in q["relevant"].items()}
        for i, fn in enumerate((ndcg, mrr, recall)):
            totals[i] += fn(ranked, grades)
    n = len(queries)
    return Scores(totals[0] / n, totals[1] / n, totals[2] / n, n)


def build(home: Path, embedder_spec: str) -> SearchEngine:
    store = open_store(home / "praktijkbank.db")
    engine = SearchEngine(store, index_path=home / "index.faiss", embedder=make_embedder(embedder_spec))
    report = ingest_paths(store, [ROOT / "data"], indexer=engine)
    assert not report.rejected, report.rejected
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedder", action="append", default=None)
    args = parser.parse_args()
    queries = load_queries()
    rows = []
    for spec in args.embedder or ["e5-small", "minilm"]:
        with tempfile.TemporaryDirectory() as tmp:
            engine = build(Path(tmp), spec)
            for label, tuning in (("default", Tuning()),):
                service = SearchService(engine.store, engine, tuning)
                for mode in ("lexical", "semantic", "hybrid"):
                    s = evaluate(service, queries, mode)
                    rows.append((engine.embedder.name, label, mode, s))
            engine.store.close()
    print(f"| embedder | tuning | mode | nDCG@10 | MRR@10 | recall@10 |\n|---|---|---|---|---|---|")
    for name, label, mode, s in rows:
        print(f"| {name} | {label} | {mode} | {s.ndcg:.3f} | {s.mrr:.3f} | {s.recall:.3f} |")


if __name__ == "__main__":
    main()
