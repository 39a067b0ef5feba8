"""Backend parity: every query of every relevance set on SQLite + FAISS and on PostgreSQL + pgvector.

Usage: python -m benchmarks.parity [--embedder SPEC] [--write]

It ingests the bundled catalogue (data/) into both backends with the same embedder; the second
ingest is served from the vectors of the first, so both hold exactly the same vectors, as
`praktijkbank migrate` copies them. PostgreSQL is an embedded server in a temporary folder.
Then every query of the long, head and off-topic sets runs in hybrid, semantic and lexical mode
on both, and the report counts the queries whose top 10, total, answer kind (relevant / nearest
/ none) or nDCG@10 (to 3 decimals) differ. --write puts the Markdown into BENCHMARKS.md between
the parity markers.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.core import Praktijkbank
from benchmarks.relevance import (
    RELEVANCE,
    ROOT,
    SET_FILES,
    embedder_for,
    load_judged,
    load_set,
    ndcg,
    save_vectors,
    write_section,
)
from catalogue.store import make_filters
from catalogue.store_sqlite import SqliteStore
from ingest.pipeline import ingest_paths
from search.service import SearchService

START, END = "<!-- parity:start -->", "<!-- parity:end -->"
MODES = ("hybrid", "semantic", "lexical")


@dataclass
class Outcome:
    """One query in one mode on one backend."""

    top: list[str]
    total: int
    match: str
    ndcg: float


@dataclass
class Tally:
    queries: int = 0
    same_top: int = 0
    same_total: int = 0
    same_match: int = 0
    same_ndcg: int = 0
    sums: list[float] = field(default_factory=lambda: [0.0, 0.0])
    differing: list[str] = field(default_factory=list)

    def add(self, qid: str, a: Outcome, b: Outcome) -> None:
        self.queries += 1
        self.same_top += a.top == b.top
        self.same_total += a.total == b.total
        self.same_match += a.match == b.match
        self.same_ndcg += round(a.ndcg, 3) == round(b.ndcg, 3)
        self.sums[0] += a.ndcg
        self.sums[1] += b.ndcg
        if (a.top, a.total, a.match) != (b.top, b.total, b.match) or round(a.ndcg, 3) != round(b.ndcg, 3):
            self.differing.append(qid)


def outcome(service: SearchService, query: dict[str, Any], mode: str) -> Outcome:
    filters = make_filters(**(query.get("filters") or {}))
    result = service.search(query["query"], filters=filters, mode=mode, per_page=10)
    top = [h.practice.id for h in result.hits]
    grades = {pid: int(g) for pid, g in (query.get("relevant") or {}).items() if int(g) > 0}
    return Outcome(top, result.total, result.match, ndcg(top, grades) if grades else 0.0)


def query_sets() -> dict[str, list[dict[str, Any]]]:
    """The long and head sets with their judgements, and the off-topic queries (no judgements)."""
    sets = {name: load_judged(name) for name in SET_FILES}
    offtopic = load_set(RELEVANCE / "offtopic.yaml")
    sets["off-topic"] = [{"id": f"{group}-{i}", "query": text}
                         for group, texts in offtopic.items() for i, text in enumerate(texts)]
    return sets


def compare(sqlite: Praktijkbank, postgres: Praktijkbank, *,
            modes: Sequence[str] = MODES) -> dict[tuple[str, str], Tally]:
    tallies: dict[tuple[str, str], Tally] = {}
    for name, queries in query_sets().items():
        for mode in modes:
            tally = tallies.setdefault((name, mode), Tally())
            for q in queries:
                tally.add(q["id"], outcome(sqlite.search, q, mode), outcome(postgres.search, q, mode))
    return tallies


def render(tallies: dict[tuple[str, str], Tally], *, spec: str, practices: int, model_calls: int,
           seconds: float) -> str:
    lines = [f"Measured {time.strftime('%Y-%m-%d')} with `python -m benchmarks.parity --write` ({seconds:.0f} s), "
             f"embedder `{spec}`, {practices} practices, default tuning. The PostgreSQL catalogue got the SQLite "
             f"one's vectors: its ingest called the model {model_calls} times.", "",
             "| set, mode | queries | same top 10 | same total | same answer kind | same nDCG@10 (3 decimals) "
             "| mean nDCG@10 SQLite / PostgreSQL |",
             "|---|---|---|---|---|---|---|"]
    for (name, mode), t in tallies.items():
        judged = name != "off-topic"
        means = f"{t.sums[0] / t.queries:.3f} / {t.sums[1] / t.queries:.3f}" if judged else "-"
        lines.append(f"| {name}, {mode} | {t.queries} | {t.same_top} | {t.same_total} | {t.same_match} "
                     f"| {t.same_ndcg if judged else '-'} | {means} |")
    differing = sorted({f"{name}/{mode}: {qid}" for (name, mode), t in tallies.items() for qid in t.differing})
    lines += ["", "Queries that differ: " + ("; ".join(differing) if differing else "none") + "."]
    return "\n".join(lines)


def run(spec: str, data: Path = ROOT / "data") -> str:
    from catalogue.postgres import server

    started = time.perf_counter()
    embedder = embedder_for(spec)  # vectors cached on disk by text digest, as the relevance runs do
    with tempfile.TemporaryDirectory(prefix="praktijkbank-parity-") as tmp:
        home = Path(tmp)
        sqlite = Praktijkbank.over(SqliteStore(home / "praktijkbank.db"), index_path=home / "index.faiss",
                                   embedder=embedder)
        report = ingest_paths(sqlite.store, [data], indexer=sqlite.indexing)
        if report.rejected:
            raise SystemExit(f"data/ has rejected records: {report.rejected}")
        running, _ = server.start(home / "postgres", database="parity")
        try:
            postgres = Praktijkbank.over_postgres(running.url("parity"), embedder=embedder, cache_dir=home)
            calls = embedder.model_calls
            ingest_paths(postgres.store, [data], indexer=postgres.indexing)
            second = embedder.model_calls - calls
            try:
                tallies = compare(sqlite, postgres)
            finally:
                postgres.close()
        finally:
            sqlite.close()
            server.stop(home / "postgres")
    save_vectors(embedder)
    return render(tallies, spec=spec, practices=len(report.added), model_calls=second,
                  seconds=time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="e5+use", help="embedder spec (default: e5+use)")
    parser.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    args = parser.parse_args()
    markdown = run(args.embedder)
    print(markdown)
    if args.write:
        write_section(markdown, start=START, end=END)


if __name__ == "__main__":
    main()
