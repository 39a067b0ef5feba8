"""The speed benchmark on both backends (`speed.py --backends sqlite,postgresql`) at a tiny size:
every stage once, the structure of its results and its report (no timings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.speed_backends import END, START

STEPS = {f"{mode}/{label}" for mode in ("hybrid", "semantic", "lexical") for label in ("all", "filtered")}


@pytest.mark.realmodel
@pytest.mark.e2e
def test_both_backends_at_a_tiny_size(tmp_path: Path, postgres_server: Any) -> None:
    from benchmarks.speed import main
    from catalogue.postgres import server

    out = tmp_path / "BENCHMARKS.md"
    out.write_text(f"# Benchmarks\n\n## PostgreSQL\n\nuntouched\n\n{START}\nold\n{END}\n\n## Speed\n\nkept\n",
                   encoding="utf-8")
    folder = postgres_server.status.folder  # the session's server: the run creates its database there
    args = ["--backends", "sqlite,postgresql", "--sizes", "60", "--embedder", "e5-small", "--real-limit", "6",
            "--queries", "2", "--repeat", "1", "--http-requests", "1", "--in-process",
            "--out", str(out), "--json", str(tmp_path / "speed.json"), "--cache-dir", str(tmp_path / "cache"),
            "--work-dir", str(tmp_path / "work"), "--postgres-folder", str(folder)]
    results = main(args)

    at = results["sizes"]["60"]
    assert at["build"]["records"] == 60 and at["sqlite_disk_mb"] > 0
    migrate = at["postgres"]["migrate"]
    assert (migrate["practices"], migrate["vectors_copied"], migrate["embedded"]) == (60, 60, 0)  # nothing re-embedded
    assert migrate["counts_match"] and migrate["copy_s"] > 0 and at["postgres"]["analyze_s"] >= 0
    assert at["postgres"]["tables_mb"]["passages"] > 0 and at["postgres"]["settings"]["jit"] in ("on", "off")
    engine = at["engine"]
    for backend in ("sqlite", "postgresql"):
        assert set(engine["latency"][backend]) == STEPS and engine["latency"][backend]["hybrid/all"]["n"] == 2
        assert "dense_ms" in engine["stages"][backend]["hybrid/all"]
        assert set(at["http"]["latency"][backend]) == STEPS and at["http"]["latency"][backend]["lexical/all"]["n"] == 1
        assert [t["clients"] for t in at["http"]["throughput"][backend]] == [1, 8]
        assert at["http"]["throughput"][backend][1]["requests"] == 8 * 2  # 8 clients, 1 request, two rounds
        assert at["http"]["memory"][backend]["peak_rss_mb"] > 0
    # both backends answer alike: the same hits per query in process
    assert engine["latency"]["sqlite"]["hybrid/all"]["hits"] == engine["latency"]["postgresql"]["hybrid/all"]["hits"]
    assert at["http"]["memory"]["postgresql-server"]["processes"] > 1
    assert len(engine["load_before"]) == 3 and results["load_end"]

    assert json.loads((tmp_path / "speed.json").read_text())["meta"]["embedder"] == "e5-small"
    text = out.read_text(encoding="utf-8")
    assert "untouched" in text and text.rstrip().endswith("kept") and "\nold\n" not in text
    assert text.count(START) == 1 and "| hybrid + filters |" in text and "PostgreSQL + pgvector" in text
    assert server.status(folder) is not None  # a server the run did not start keeps running
    postgres_server.drop_database("speed_60")
    main([*args, "--render", str(tmp_path / "speed.json")])
    assert out.read_text(encoding="utf-8") == text  # the report is a function of the results file
