"""The ingest pipeline: read -> validate -> (embed -> upsert -> index) per batch.

Good records are stored even when others are bad (unless strict). Records are stored in
batches, each embedded, written in one transaction (with their vectors, when the index lives in
the same database) and then added to the index, so each
batch ends in a consistent state: a failure or a kill loses at most the batch under way, and a
rerun skips what is stored already (unchanged records are not embedded again). Batches grow
until one takes about BATCH_SECONDS, so a slow model loses little and a fast one saves the
index rarely.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from catalogue.errors import InvalidRecord
from catalogue.faults import crash_point
from catalogue.model import Practice, parse_practice
from catalogue.store import PracticeStore, UpsertResult
from ingest.readers import Problem, RawRecord, Skipped, discover, read_file

Progress = Callable[[int], None]
# (records stored or found unchanged so far, records to store)
StoredProgress = Callable[[int, int], None]

FIRST_BATCH = 16
MAX_BATCH = 5000
BATCH_SECONDS = 30.0


class IndexUpdater(Protocol):
    """Keeps a derived index in step with the store (implemented in search/)."""

    def prepare(self, practices: Sequence[Practice]) -> Any:
        """Expensive work (embedding) done before the write transaction."""

    def stage(self, store: PracticeStore, prepared: Any) -> None:
        """Write what belongs with the rows (pgvector's vectors) inside the store's write
        transaction, after the upsert; a derived file is left to `apply`."""

    def apply(self, store: PracticeStore, prepared: Any, *, removed: Iterable[int] = ()) -> None:
        """Bring the index in line after the transaction committed."""


@dataclass(frozen=True)
class Rejection:
    """A record or file part that was not stored, with where and why."""

    source: str
    locator: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}" + (f" ({self.locator})" if self.locator else "")
        return f"{where}: {self.field}: {self.message}"


@dataclass
class IngestReport:
    """The outcome of one ingest run."""

    files: int = 0
    records: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    dry_run: bool = False
    strict_aborted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files, "records": self.records, "added": self.added,
            "updated": self.updated, "unchanged": self.unchanged,
            "rejected": [r.__dict__ for r in self.rejected],
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "dry_run": self.dry_run, "strict_aborted": self.strict_aborted,
        }


def collect(paths: list[Path], *, on_record: Progress | None = None) -> tuple[list[Practice], IngestReport]:
    """Read and validate every record; duplicates within the batch are rejected."""
    report = IngestReport()
    files, problems = discover(paths)
    report.files = len(files)
    report.rejected.extend(Rejection(p.source, p.locator, p.field, p.message) for p in problems)
    seen: dict[str, str] = {}
    good: list[Practice] = []
    for path in files:
        for item in read_file(path):
            if isinstance(item, Skipped):
                report.skipped.append(item)
                continue
            if isinstance(item, Problem):
                report.rejected.append(Rejection(item.source, item.locator, item.field, item.message))
                continue
            report.records += 1
            if on_record:
                on_record(1)
            practice = _validate(item, report)
            if practice is None:
                continue
            if practice.id in seen:
                report.rejected.append(Rejection(
                    item.source, item.locator, "id",
                    f"id '{practice.id}' komt al voor in deze invoer ({seen[practice.id]})"))
                continue
            seen[practice.id] = f"{Path(item.source).name}, {item.locator}"
            good.append(practice)
    return good, report


def _validate(item: RawRecord, report: IngestReport) -> Practice | None:
    try:
        return parse_practice(item.data, source=item.source, locator=item.locator)
    except InvalidRecord as e:
        report.rejected.extend(Rejection(item.source, item.locator, i.field, i.message) for i in e.issues)
        return None


def store_practices(
    store: PracticeStore,
    practices: list[Practice],
    *,
    indexer: IndexUpdater | None = None,
    dry_run: bool = False,
) -> UpsertResult:
    """Upsert validated practices in one transaction and update the index for the changes."""
    if dry_run:
        return store.upsert_many(practices, dry_run=True)
    preview = store.upsert_many(practices, dry_run=True)
    changed = set(preview.changed)
    to_embed = [p for p in practices if p.id in changed]
    prepared = indexer.prepare(to_embed) if indexer and to_embed else None
    crash_point("ingest:embedded")
    with store.transaction():
        result = store.upsert_many(practices)
        if indexer is not None and prepared is not None:
            indexer.stage(store, prepared)
    crash_point("ingest:committed")
    if indexer is not None and (result.changed or prepared is not None):
        indexer.apply(store, prepared)
    return result


def ingest_paths(
    store: PracticeStore,
    paths: list[Path],
    *,
    indexer: IndexUpdater | None = None,
    strict: bool = False,
    dry_run: bool = False,
    on_record: Progress | None = None,
    on_stored: StoredProgress | None = None,
    batch: int | None = None,
) -> IngestReport:
    """Ingest files and folders into the store; see the module docstring for the guarantees.

    `batch` fixes the batch size (tests); by default it adapts to BATCH_SECONDS per batch.
    """
    practices, report = collect(paths, on_record=on_record)
    report.dry_run = dry_run
    if strict and report.rejected:
        report.strict_aborted = True
        return report
    if dry_run:
        result = store_practices(store, practices, indexer=indexer, dry_run=True)
        report.added, report.updated, report.unchanged = result.added, result.updated, result.unchanged
        return report
    done, size = 0, batch or FIRST_BATCH
    while done < len(practices):
        chunk = practices[done:done + size]
        start = time.perf_counter()
        result = store_practices(store, chunk, indexer=indexer)
        report.added += result.added
        report.updated += result.updated
        report.unchanged += result.unchanged
        done += len(chunk)
        if on_stored:
            on_stored(done, len(practices))
        if batch is None:
            size = next_batch(size, time.perf_counter() - start)
    return report


def next_batch(size: int, seconds: float) -> int:
    """The size of the next batch, so that one takes about BATCH_SECONDS."""
    if seconds <= 0:
        return MAX_BATCH
    return max(FIRST_BATCH, min(MAX_BATCH, int(size * BATCH_SECONDS / seconds)))
