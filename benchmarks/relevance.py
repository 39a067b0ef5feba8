"""Relevance benchmark: nDCG@10, MRR@10 and recall@10 on the Dutch relevance set.

Usage: python -m benchmarks.relevance [--embedder SPEC]... [--write]

For each embedder it builds the bundled catalogue (data/) in a temporary folder, runs every
query of benchmarks/relevance/queries.yaml in lexical, semantic and hybrid mode, and measures
the query gate (best dense score of real queries against nonsense). For the first embedder it
also compares fusion methods. It prints Markdown; --write puts it into BENCHMARKS.md between
the relevance markers.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from catalogue.store import make_filters, open_store
from ingest.pipeline import ingest_paths
from search.embedders import make_embedder
from search.engine import SearchEngine
from search.service import SearchService, Tuning

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "benchmarks" / "relevance" / "queries.yaml"
REPORT = ROOT / "BENCHMARKS.md"
START, END = "<!-- relevance:start -->", "<!-- relevance:end -->"
K = 10
DEFAULT_EMBEDDERS = ["e5+use", "e5-small", "use", "minilm"]
UNGATED = {"min_score": -1.0, "dense_window": 2.0}


def load_set(path: Path = QUERIES) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    return load_set(path)["queries"]


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


@dataclass
class Gate:
    """The best dense score of real queries and of nonsense, against the embedder's gate."""

    gate: float
    real_min: float
    real_p5: float
    nonsense_max: float
    real_passed: int
    real_total: int
    nonsense_rejected: int
    nonsense_total: int


def best_scores(engine: SearchEngine, texts: list[str]) -> np.ndarray:
    """The best whole-text dense score of each text: what the query gate compares."""
    index = engine.index()
    vectors = engine.embedder.encode_queries(texts)
    return np.array([index.search(v, 1)[0][1] for v in vectors])


def measure_gate(engine: SearchEngine, queries: list[dict[str, Any]], nonsense: list[str]) -> Gate:
    gate = engine.embedder.min_score
    real = best_scores(engine, [q["query"] for q in queries])
    noise = best_scores(engine, nonsense)
    return Gate(gate, float(real.min()), float(np.percentile(real, 5)), float(noise.max()),
                int((real >= gate).sum()), len(real), int((noise < gate).sum()), len(noise))


def build(home: Path, embedder_spec: str) -> SearchEngine:
    store = open_store(home / "praktijkbank.db")
    engine = SearchEngine(store, index_path=home / "index.faiss", embedder=make_embedder(embedder_spec))
    report = ingest_paths(store, [ROOT / "data"], indexer=engine)
    if report.rejected:
        raise SystemExit(f"data/ has rejected records: {report.rejected}")
    return engine


FUSIONS: list[tuple[str, str, Tuning]] = [
    ("dense, no gate", "semantic", Tuning(**UNGATED)),
    ("dense, gate + window 0.10", "semantic", Tuning()),
    ("dense, whole texts only (no sentence vectors)", "semantic", Tuning(passage_weight=0.0)),
    ("RRF k=60, weights 1:1 (textbook)", "hybrid", Tuning(fusion="rrf", dense_weight=0.5, lexical_weight=0.5)),
    ("RRF k=60, dense 2 : lexical 1", "hybrid", Tuning(fusion="rrf", dense_weight=2 / 3, lexical_weight=1 / 3)),
    ("convex (min-max), 0.8 : 0.2", "hybrid", Tuning(dense_weight=0.8, lexical_weight=0.2)),
    ("convex (min-max), 0.7 : 0.3, no gate", "hybrid", Tuning(**UNGATED)),
    ("**convex (min-max), 0.7 : 0.3 (default)**", "hybrid", Tuning()),
    ("convex (min-max), 0.6 : 0.4", "hybrid", Tuning(dense_weight=0.6, lexical_weight=0.4)),
    ("convex 0.7 : 0.3, whole texts only (no sentence vectors)", "hybrid", Tuning(passage_weight=0.0)),
    ("convex 0.7 : 0.3, best sentence weighs 0.2", "hybrid", Tuning(passage_weight=0.2)),
    ("convex 0.7 : 0.3, best sentence weighs 0.4", "hybrid", Tuning(passage_weight=0.4)),
    ("convex 0.7 : 0.3, no French/English glossary on the keyword side", "hybrid", Tuning(glossary=False)),
    ("BM25 alone, no glossary", "lexical", Tuning(glossary=False)),
]


def run(specs: list[str]) -> str:
    data = load_set()
    queries, nonsense = data["queries"], data.get("nonsense", [])
    per_embedder: list[str] = []
    gates: list[str] = []
    fusion_rows: list[str] = []
    for position, spec in enumerate(specs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            engine = build(Path(tmp), spec)
            seconds = time.perf_counter() - start
            name = f"`{spec}` ({engine.embedder.dim} d)"
            service = SearchService(engine.store, engine)
            for mode in ("lexical", "semantic", "hybrid"):
                s = evaluate(service, queries, mode)
                per_embedder.append(f"| {name} | {mode} | {s.ndcg:.3f} | {s.mrr:.3f} | {s.recall:.3f} |")
            g = measure_gate(engine, queries, nonsense)
            gates.append(
                f"| {name} | {g.gate:.3f} | {g.real_min:.3f} | {g.real_p5:.3f} | {g.nonsense_max:.3f} "
                f"| {g.real_passed}/{g.real_total} | {g.nonsense_rejected}/{g.nonsense_total} | {seconds:.0f} s |"
            )
            if position == 0:
                for label, mode, tuning in FUSIONS:
                    s = evaluate(SearchService(engine.store, engine, tuning), queries, mode)
                    fusion_rows.append(f"| {label} | {mode} | {s.ndcg:.3f} | {s.mrr:.3f} | {s.recall:.3f} |")
            engine.store.close()
    return render(specs[0], len(queries), len(nonsense), per_embedder, gates, fusion_rows)


def render(first: str, n_queries: int, n_nonsense: int, per_embedder: list[str], gates: list[str],
           fusion_rows: list[str]) -> str:
    head = "| {} | mode | nDCG@10 | MRR@10 | recall@10 |\n|---|---|---|---|---|"
    return "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} with `python -m benchmarks.relevance --write`, "
        f"{n_queries} graded queries, default tuning (convex 0.7 : 0.3, gate, window 0.10, "
        "best sentence 0.3 of the dense score).",
        "", "### Embedders", "", head.format("embedder"), *per_embedder,
        "", f"### Fusion, with `{first}`", "", head.format("fusion / setting"), *fusion_rows,
        "", f"### Query gate ({n_nonsense} nonsense queries)", "",
        "Best dense score per query: the gate must pass real queries and stop nonsense.", "",
        "| embedder | gate | real: min | real: 5th pct | nonsense: max | real passed | nonsense stopped "
        "| build |",
        "|---|---|---|---|---|---|---|---|", *gates,
    ])


def write_section(markdown: str, path: Path = REPORT) -> None:
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{path} lacks the markers {START} ... {END}")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{START}\n{markdown}\n{END}{after}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", action="append", default=None,
                        help=f"embedder spec (repeatable; default: {', '.join(DEFAULT_EMBEDDERS)})")
    parser.add_argument("--write", action="store_true", help="write the tables into BENCHMARKS.md")
    args = parser.parse_args()
    markdown = run(args.embedder or DEFAULT_EMBEDDERS)
    print(markdown)
    if args.write:
        write_section(markdown)


if __name__ == "__main__":
    main()
