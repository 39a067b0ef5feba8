"""The synthetic corpus: deterministic, valid, varied, and with usable selective filters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from benchmarks.corpus import generate, load_vocabulary, record, selective_filters, write_jsonl
from catalogue.model import parse_practice
from catalogue.store import make_filters
from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS
from ingest.pipeline import collect

ROOT = Path(__file__).resolve().parents[2]


def test_same_seed_same_records_and_prefixes_agree() -> None:
    assert list(generate(40)) == list(generate(40))
    assert list(generate(10)) == list(generate(40))[:10]
    assert list(generate(5, start=20)) == list(generate(25))[20:]
    assert record(3, seed=1) != record(3, seed=2)


def test_records_do_not_depend_on_the_process() -> None:
    """No hash randomisation or global state leaks in: another interpreter gives the same records."""
    code = "import json; from benchmarks.corpus import generate; print(json.dumps(list(generate(15))))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout
    assert json.loads(out) == list(generate(15))


def test_every_record_is_a_valid_practice_with_vocabulary_values() -> None:
    practices = [parse_practice(r) for r in generate(300)]
    assert len({p.id for p in practices}) == 300
    for p in practices:
        assert p.region in REGIONS.keys
        assert set(p.sectors) <= set(SECTORS.keys) and set(p.krachtlijnen) <= set(KRACHTLIJNEN.keys)
        assert p.region == "vlaanderen" or p.municipality


def test_records_are_varied_dutch_text() -> None:
    records = list(generate(500))
    assert len({r["title"] for r in records}) > 400
    assert len({r["summary"] for r in records}) > 450
    assert len({r["organisation"] for r in records}) > 250
    assert len({r["region"] for r in records}) == len(REGIONS.keys)
    assert len({s for r in records for s in r["sectors"]}) == len(SECTORS.keys)
    words = Counter(w.lower() for r in records for w in r["summary"].split())
    assert {"de", "het", "een", "en"} <= set(words)  # Dutch function words, not lorem ipsum
    assert not any("lorem" in r["description"].lower() for r in records)
    assert len(load_vocabulary().activities) > 30


def test_jsonl_file_ingests_without_rejections(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    assert write_jsonl(path, generate(50)) == 50
    practices, report = collect([path])
    assert len(practices) == 50 and not report.rejected


def test_selective_filters_match_about_one_percent() -> None:
    records = list(generate(3000))
    chosen = selective_filters(records, share=0.01, count=3)
    assert len(chosen) == 3 and len({f["region"][0] for f in chosen}) == 3
    for f in chosen:
        filters = make_filters(**f)
        hits = sum(1 for r in records
                   if r["region"] in filters.region and set(r["sectors"]) & set(filters.sector)
                   and (not filters.krachtlijn or set(r["krachtlijnen"]) & set(filters.krachtlijn)))
        assert 0.005 <= hits / len(records) <= 0.02
