"""Large ingests are stored in batches, each a consistent state (stored and indexed), so a killed
run keeps the batches it finished and a rerun embeds only the rest."""

from __future__ import annotations

import json

import pytest

from ingest.pipeline import BATCH_SECONDS, FIRST_BATCH, MAX_BATCH, ingest_paths, next_batch
from tests.conftest import SAMPLE


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs (tests/reliability/test_crash.py uses the real one)."""


class CountingIndexer:
    """The core as ingest's indexer, counting what it embeds; dies at the given prepare call."""

    def __init__(self, core, *, die_at: int | None = None) -> None:
        self.core, self.die_at, self.calls, self.embedded = core, die_at, 0, 0

    def prepare(self, practices):
        self.calls += 1
        if self.calls == self.die_at:
            raise Killed
        self.embedded += len(practices)
        return self.core.indexing.prepare(practices)

    def stage(self, store, prepared):
        self.core.indexing.stage(store, prepared)

    def apply(self, store, prepared, *, removed=()):
        self.core.indexing.apply(store, prepared, removed=removed)


@pytest.fixture
def source(tmp_path):
    records = [{**SAMPLE[i % len(SAMPLE)], "id": f"praktijk-{i:02d}", "title": f"Praktijk nummer {i}"}
               for i in range(10)]
    path = tmp_path / "groot.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_a_killed_ingest_keeps_its_finished_batches_and_a_rerun_resumes(store, core, source):
    with pytest.raises(Killed):
        ingest_paths(store, [source], indexer=CountingIndexer(core, die_at=3), batch=4)
    assert store.count() == 8  # two whole batches, not none
    assert core.indexing.check().ok  # and they are in the index: a consistent state

    again = CountingIndexer(core)
    report = ingest_paths(store, [source], indexer=again, batch=4)
    assert again.embedded == 2  # only the batch that was lost
    assert len(report.added) == 2 and len(report.unchanged) == 8
    assert store.count() == 10 and core.indexing.check().ok


def test_progress_is_reported_per_batch(store, core, source):
    seen: list[tuple[int, int]] = []
    ingest_paths(store, [source], indexer=core.indexing, batch=4, on_stored=lambda done, total: seen.append((done, total)))
    assert seen == [(4, 10), (8, 10), (10, 10)]


def test_batches_grow_until_one_takes_about_the_target_time():
    assert next_batch(FIRST_BATCH, BATCH_SECONDS / 10) == FIRST_BATCH * 10
    assert next_batch(100, BATCH_SECONDS * 4) == 25  # a slow model: smaller batches
    assert next_batch(FIRST_BATCH, BATCH_SECONDS * 4) == FIRST_BATCH  # never below the first size
    assert next_batch(4000, 0.5) == MAX_BATCH
