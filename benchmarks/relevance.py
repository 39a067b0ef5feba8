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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from api.core import Praktijkbank
from benchmarks.speed_vectors import CACHE_DIR, CachedEmbedder
from catalogue.analysis import AnalyzerConfig, configure
from catalogue.store import make_filters
from catalogue.store_sqlite import SqliteStore
from ingest.pipeline import ingest_paths
from search.embedders import make_embedder
from search.embedders.base import Embedder
from search.service import SearchService, Tuning

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "benchmarks" / "relevance" / "queries.yaml"
REPORT = ROOT / "BENCHMARKS.md"
START, END = "<!-- relevance:start -->", "<!-- relevance:end -->"
K = 10


def load_set(path: Path = QUERIES) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    return load_set(path)["queries"]


RELEVANCE = ROOT / "benchmarks" / "relevance"
# The two sets: long sentences (tuned first, 2026-11) and head queries (what people type).
SET_FILES = {"long": ["queries.yaml", "new_long_queries.yaml"], "head": ["head_queries.yaml"]}


def load_judged(name: str, *, grown: bool = True) -> list[dict[str, Any]]:
    """A set's queries with their judgements.

    The sets were judged over the first 58 practices; the 101 practices added on 2026-12-03
    and the 12 added on 2026-12-04 were judged blind against every query in
    new_judgements_*.yaml, and new_long_queries.yaml holds queries for the themes of the 101.
    `grown=False` gives the 58-practice set as it was.
    """
    files = SET_FILES[name] if grown else SET_FILES[name][:1]
    queries = [q for f in files for q in load_queries(RELEVANCE / f)]
    if grown:
        extra: dict[str, dict[str, int]] = {}
        for path in sorted(RELEVANCE.glob("new_judgements_*.yaml")):
            for qid, grades in (load_set(path).get("judgements") or {}).items():
                extra.setdefault(qid, {}).update(grades or {})
        for q in queries:
            q["relevant"] = {**(q.get("relevant") or {}), **extra.get(q["id"], {})}
    return queries


def original_practices() -> set[str]:
    return set((RELEVANCE / "original_58.txt").read_text(encoding="utf-8").split())


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


def best_scores(core: Praktijkbank, texts: list[str]) -> np.ndarray:
    """The best whole-text dense score of each text: what the query gate compares."""
    index = core.index.current()
    vectors = core.embedder.encode_queries(texts)
    return np.array([index.search(v, 1)[0][1] for v in vectors])


def measure_gate(core: Praktijkbank, queries: list[dict[str, Any]], nonsense: list[str]) -> Gate:
    gate = core.embedder.min_score
    real = best_scores(core, [q["query"] for q in queries])
    noise = best_scores(core, nonsense)
    return Gate(gate, float(real.min()), float(np.percentile(real, 5)), float(noise.max()),
                int((real >= gate).sum()), len(real), int((noise < gate).sum()), len(noise))


def embedder_for(spec: str, cache_dir: Path | None = CACHE_DIR) -> Remembering:
    """The benchmark's embedder: it embeds each text once per run and, with `cache_dir`, keeps
    the vectors on disk by a digest of their text (benchmarks/speed_vectors.py), so a rerun
    embeds only the texts that changed."""
    embedder: Embedder = make_embedder(spec)
    return Remembering(CachedEmbedder.wrap(embedder, cache_dir) if cache_dir is not None else embedder)


def build(home: Path, embedder: Embedder, data: Path | None = None) -> Praktijkbank:
    """The catalogue of data/ (or `data`) in `home`, embedded by `embedder` (see embedder_for)."""
    store = SqliteStore(home / "praktijkbank.db")
    core = Praktijkbank.over(store, index_path=home / "index.faiss", embedder=embedder)
    report = ingest_paths(store, [data or ROOT / "data"], indexer=core.indexing)
    if report.rejected:
        raise SystemExit(f"data/ has rejected records: {report.rejected}")
    save_vectors(embedder)
    return core


def save_vectors(embedder: Embedder) -> None:
    """Write the on-disk vector cache behind an `embedder_for` embedder, if it has one."""
    inner = getattr(embedder, "inner", None)
    if isinstance(inner, CachedEmbedder):
        inner.cache.save()


class Remembering:
    """An embedder that remembers every vector it made: a repeated query, or a second catalogue of
    the same texts (benchmarks/parity.py), gets the same vectors without running the model again."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dim, self.min_score = inner.name, inner.dim, inner.min_score
        self.documents: dict[str, np.ndarray] = {}
        self.queries: dict[str, np.ndarray] = {}
        self.model_calls = 0

    def _cached(self, memory: dict[str, np.ndarray], texts: Sequence[str], encode: Any) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in memory]
        if todo:
            self.model_calls += 1
            memory.update(zip(todo, encode(todo), strict=True))
        return np.stack([memory[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def encode_documents(self, texts: Sequence[str], *, progress: Any = None) -> np.ndarray:
        out = self._cached(self.documents, texts, self.inner.encode_documents)
        if progress:
            progress(len(texts))
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached(self.queries, texts, self.inner.encode_queries)


@dataclass
class Row:
    """One query's outcome."""

    id: str
    lang: str
    kind: str
    ndcg: float
    mrr: float
    zero: bool
    total: int
    relevant: int
    precision: float | None
    match: str


def run_queries(service: SearchService, queries: list[dict[str, Any]], mode: str = "hybrid") -> list[Row]:
    rows = []
    for q in queries:
        grades = {pid: int(g) for pid, g in (q.get("relevant") or {}).items() if int(g) > 0}
        if not grades:
            continue
        filters = make_filters(**(q.get("filters") or {}))
        result = service.search(q["query"], filters=filters, mode=mode, per_page=200)
        ranked = [h.practice.id for h in result.hits]
        found = set(ranked[:result.total])
        rows.append(Row(q["id"], q.get("lang", "nl"), q.get("kind", "long"), ndcg(ranked, grades),
                        mrr(ranked, grades), not ranked, result.total, len(grades),
                        len(found & set(grades)) / result.total if result.total else None, result.match))
    return rows


def summarise(rows: list[Row]) -> str:
    """nDCG@10 | MRR@10 | zero-result rate | precision of the whole result set | median total | n"""
    if not rows:
        return "| - | - | - | - | - | 0 |"
    precisions = [r.precision for r in rows if r.precision is not None]
    return (f"| {np.mean([r.ndcg for r in rows]):.3f} | {np.mean([r.mrr for r in rows]):.3f} "
            f"| {np.mean([r.zero for r in rows]):.3f} | {np.mean(precisions) if precisions else 0:.3f} "
            f"| {np.median([r.total for r in rows]):.0f} | {len(rows)} |")


def narrow(rows: list[Row]) -> str:
    """Median total and total / relevant for one-topic head queries (at most 3 relevant)."""
    picked = [r for r in rows if r.kind in ("term", "everyday") and r.relevant <= 3]
    if not picked:
        return "no narrow queries"
    ratio = np.median([r.total / r.relevant for r in picked])
    return (f"{len(picked)} narrow queries: median total {np.median([r.total for r in picked]):.1f}, "
            f"median total / relevant {ratio:.2f}")


HEAD = "| | nDCG@10 | MRR@10 | zero-result rate | precision (all results) | median total | queries |\n" \
       "|---|---|---|---|---|---|---|"
# Alternatives are compared with the default per query: the mean difference of nDCG@10 and its
# 95% paired bootstrap interval (resampling queries). An interval that holds 0 is noise.
HEAD_PAIRED = ("| | nDCG@10 | Δ nDCG@10 vs default [95% CI] | MRR@10 | zero-result rate "
               "| precision (all results) | median total | queries |\n|---|---|---|---|---|---|---|---|")
BOOTSTRAP_SAMPLES = 10_000


def paired_difference(rows: list[Row], base: list[Row], *, samples: int = BOOTSTRAP_SAMPLES,
                      seed: int = 0) -> tuple[float, float, float]:
    """Mean per-query nDCG@10 difference of `rows` over `base` (the same queries), with the
    2.5th and 97.5th percentiles of its paired bootstrap (queries resampled, seeded)."""
    before = {r.id: r.ndcg for r in base}
    diffs = np.array([r.ndcg - before[r.id] for r in rows])
    if not len(diffs):
        return 0.0, 0.0, 0.0
    picks = np.random.default_rng(seed).integers(0, len(diffs), size=(samples, len(diffs)))
    means = diffs[picks].mean(axis=1)
    return float(diffs.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def summarise_paired(rows: list[Row], base: list[Row]) -> str:
    """`summarise` with the paired difference against the default's rows after nDCG@10."""
    cells = summarise(rows).split(" | ")
    mean, lo, hi = paired_difference(rows, base)
    return " | ".join([cells[0], f"{mean:+.3f} [{lo:+.3f}, {hi:+.3f}]", *cells[1:]])


def by_group(label: str, rows: list[Row], key: str) -> list[str]:
    values = sorted({getattr(r, key) for r in rows})
    return [f"| {label} {summarise(rows)}",
            *(f"| {label}, {key} {v} {summarise([r for r in rows if getattr(r, key) == v])}" for v in values)]


ANALYZERS: list[tuple[str, AnalyzerConfig]] = [
    ("**dutch_porter + exceptions + compounds (default)**", AnalyzerConfig()),
    ("dutch_porter + exceptions", AnalyzerConfig(compounds=False)),
    ("dutch_porter", AnalyzerConfig(exceptions=False, compounds=False)),
    ("dutch (Snowball 3) + exceptions + compounds", AnalyzerConfig(stemmer="dutch")),
    ("dutch (Snowball 3), as before", AnalyzerConfig(stemmer="dutch", exceptions=False, compounds=False)),
]

CUTOFFS: list[tuple[str, Tuning]] = [
    ("**short 0.35, long 0.10, short queries dense 0.5, BM25 by the best, coverage 0.8 (default)**",
     Tuning()),
    ("no coverage rule (short queries match on any shared word)", Tuning(min_coverage=0.0)),
    ("coverage 0.6", Tuning(min_coverage=0.6)),
    ("coverage 1.0", Tuning(min_coverage=1.0)),
    ("no cut-off (every reached practice counts)", Tuning(cutoff=0.0, cutoff_long=0.0)),
    ("short 0.25, long 0.10", Tuning(cutoff=0.25)),
    ("short 0.45, long 0.10", Tuning(cutoff=0.45)),
    ("short 0.35, long 0.20", Tuning(cutoff_long=0.20)),
    ("short 0.35, long 0.35", Tuning(cutoff_long=0.35)),
    ("short queries dense 0.7 (as long ones)", Tuning(dense_weight_short=0.7)),
    ("long queries dense 0.6", Tuning(dense_weight=0.6)),
    ("sentence weight 0.4 (not 0.3)", Tuning(passage_weight=0.4)),
    ("dense window 0.15 (not 0.10)", Tuning(dense_window=0.15)),
    ("keyword side scaled by the query's ideal score (not the best BM25)", Tuning(anchor_lexical=True)),
    ("compound parts weigh 1 (not 0.5)", Tuning(part_weight=1.0)),
    ("dense zero at the median score (not 0.10 below the best)", Tuning(dense_floor_percentile=50)),
    ("no typo correction", Tuning(spelling=False)),
    ("no French/English glossary", Tuning(glossary=False)),
]


def run(spec: str, cache_dir: Path | None = CACHE_DIR) -> str:
    sets = {name: load_judged(name) for name in SET_FILES}
    nonsense = load_set()["nonsense"]
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "data58"
        small.mkdir()
        for pid in sorted(original_practices()):
            (small / f"{pid}.md").write_bytes((ROOT / "data" / "praktijken" / f"{pid}.md").read_bytes())
        embedder = embedder_for(spec, cache_dir)
        core58 = build(Path(tmp) / "c58", embedder, small)
        service58 = core58.search
        core = build(Path(tmp) / "all", embedder)
        service = core.search
        n_all = core.store.count()
        lines += [f"Measured {time.strftime('%Y-%m-%d')} with `python -m benchmarks.relevance --write`, "
                  f"embedder `{spec}`, default tuning. Queries with no relevant practice are left out "
                  "of every figure (they test the nearest-practices answer instead).", "",
                  "### Both sets, per language", "", HEAD]
        for name in SET_FILES:
            rows58 = run_queries(service58, load_judged(name, grown=False))
            rows = run_queries(service, sets[name])
            lines += by_group(f"{name}, 58 practices", rows58, "lang")
            lines += by_group(f"{name}, {n_all} practices", rows, "lang")
            if name == "head":
                head_rows, head_rows58 = rows, rows58
        lines += ["", "### Head queries by kind", "", HEAD,
                  *by_group(f"head, {n_all} practices", head_rows, "kind")[1:],
                  "", f"Narrow one-topic queries, {n_all} practices: {narrow(head_rows)}; "
                  f"58 practices: {narrow(head_rows58)}.", ""]
        lines += ["### Modes", "", HEAD]
        for mode in ("lexical", "semantic", "hybrid"):
            for name in SET_FILES:
                lines.append(f"| {name}, {mode} {summarise(run_queries(service, sets[name], mode))}")
        default_rows = {name: run_queries(service, sets[name]) for name in SET_FILES}
        lines += ["", "### Cut-off and scoring alternatives (hybrid)", "", HEAD_PAIRED]
        for label, tuning in CUTOFFS:
            alt = SearchService(core.store, core.index, core.embedder, tuning)
            for name in SET_FILES:
                rows = run_queries(alt, sets[name])
                lines.append(f"| {label}: {name} {summarise_paired(rows, default_rows[name])}")
        lines += ["", "### Analyzer (hybrid, default tuning)", "", HEAD_PAIRED]
        for label, config in ANALYZERS:
            configure(config)
            core.store.rebuild_fts()
            core.store.warm()
            for name in SET_FILES:
                rows = run_queries(service, sets[name])
                lines.append(f"| {label}: {name} {summarise_paired(rows, default_rows[name])}")
        configure(AnalyzerConfig())
        core.store.rebuild_fts()  # the loop left the index built with the last analyzer
        core.store.warm()
        states = [(text, service.search(text).match) for text in nonsense]
        lines += ["", "Nonsense and off-topic queries: "
                  + "; ".join(f"\"{text}\" {state}" for text, state in states) + ".", ""]
        lines += offtopic_lines(core)
        save_vectors(embedder)  # the queries' vectors
        core.store.close()
        core58.store.close()
    return "\n".join(lines)


def offtopic_lines(core: Praktijkbank) -> list[str]:
    """How many off-topic queries (benchmarks/relevance/offtopic.yaml) still come back as relevant."""
    sets = load_set(RELEVANCE / "offtopic.yaml")
    lines = ["| off-topic queries | " + " | ".join(sets) + " |", "|---|" + "---|" * len(sets)]
    for label, tuning in (("**coverage 0.8 (default)**", Tuning()), ("coverage 0.6", Tuning(min_coverage=0.6)),
                          ("coverage 1.0", Tuning(min_coverage=1.0)),
                          ("no coverage rule", Tuning(min_coverage=0.0))):
        service = SearchService(core.store, core.index, core.embedder, tuning)
        cells = []
        for texts in sets.values():
            relevant = [t for t in texts if service.search(t).match == "relevant"]
            cells.append(f"{len(relevant)} of {len(texts)} relevant"
                         + (f" ({', '.join(relevant)})" if relevant else ""))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def write_section(markdown: str, path: Path = REPORT, *, start: str = START, end: str = END) -> None:
    """Replace the text between the `start` and `end` markers of `path` with `markdown`."""
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"{path} lacks the markers {start} ... {end}")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    path.write_text(f"{before}{start}\n{markdown}\n{end}{after}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="e5+use", help="embedder spec (default: e5+use)")
    parser.add_argument("--write", action="store_true", help="write the tables into BENCHMARKS.md")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR,
                        help=f"vector cache by text digest (default: {CACHE_DIR.relative_to(ROOT)})")
    parser.add_argument("--no-cache", action="store_true", help="embed every text with the model")
    args = parser.parse_args()
    markdown = run(args.embedder, None if args.no_cache else args.cache_dir)
    print(markdown)
    if args.write:
        write_section(markdown)


if __name__ == "__main__":
    main()
