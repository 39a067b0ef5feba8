"""The catalogue's write operations, shared by the CLI and the HTTP API.

Each operation validates, stores in one transaction, brings the vector index in step and
returns what happened with its warnings (near-duplicates). It raises only the errors of
catalogue/errors.py; the commands and routes parse their input, call one operation and render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogue.errors import DuplicatePractice, InvalidInput, NotADraft
from catalogue.model import Practice, Status, parse_practice
from catalogue.store import Filters, PracticeStore, UpsertResult
from ingest.pipeline import IngestReport, Progress, StoredProgress, ingest_paths, store_practices
from search.curation.duplicates import DuplicateFinder, DuplicateMatch, RecordingUpdater
from search.indexing import IndexMaintainer

# Longest id base that still leaves room for a '-N' suffix within the model's id limit.
_ID_BASE = 75


@dataclass
class Stored:
    """A write's outcome: the practice as stored, what changed, and what the curator should check."""

    practice: Practice
    result: UpsertResult
    duplicates: list[DuplicateMatch] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.result.changed)

    @property
    def warnings(self) -> list[str]:
        return [m.message for m in self.duplicates]


@dataclass
class Ingested:
    """An ingest run's report and the near-duplicates among the records it stored."""

    report: IngestReport
    duplicates: list[DuplicateMatch] = field(default_factory=list)


class Operations:
    """Add, edit, remove, submit, publish and reject practices; the id and duplicate checks."""

    def __init__(self, store: PracticeStore, indexing: IndexMaintainer, duplicates: DuplicateFinder) -> None:
        self.store = store
        self.indexing = indexing
        self.duplicates = duplicates

    # -- checks -------------------------------------------------------------------------

    def exists(self, practice_id: str) -> bool:
        """Whether a practice (in any state) has this id."""
        return self.store.exists(practice_id)

    def free_id(self, base: str) -> str:
        """`base`, or the first of base-2, base-3, ... that no practice has."""
        candidate, n = base, 2
        while self.store.exists(candidate):
            candidate, n = f"{base[:_ID_BASE]}-{n}", n + 1
        return candidate

    def near_duplicates(self, practices: Sequence[Practice], *,
                        vectors: Mapping[str, Any] | None = None) -> list[DuplicateMatch]:
        """Published practices that these records nearly duplicate; nothing is changed."""
        return self.duplicates.check(practices, vectors=dict(vectors or {}))

    # -- writes -------------------------------------------------------------------------

    def _store(self, practice: Practice, *, check: bool) -> Stored:
        recorder = RecordingUpdater(self.indexing)
        result = store_practices(self.store, [practice], indexer=recorder)
        found = self.near_duplicates([practice], vectors=recorder.vectors) if check and result.changed else []
        return Stored(self.store.get(practice.id), result, found)

    def add(self, practice: Practice) -> Stored:
        """A new practice; DuplicatePractice when its id is taken."""
        if self.exists(practice.id):
            raise DuplicatePractice(practice.id)
        return self._store(practice, check=True)

    def save(self, practice: Practice) -> Stored:
        """Store an existing practice's new version (PracticeNotFound when there is none)."""
        self.store.rid_of(practice.id)
        return self._store(practice, check=False)

    def replace(self, practice_id: str, data: Mapping[str, Any], *, source: str = "body") -> Stored:
        """Replace every field of a practice by `data` (its id may be left out, not changed)."""
        self.store.rid_of(practice_id)
        if data.get("id", practice_id) != practice_id:
            raise InvalidInput("id", "het id in de inhoud verschilt van het id in het adres")
        return self.save(parse_practice({**data, "id": practice_id}, source=source))

    def patch(self, practice_id: str, changes: Mapping[str, Any], *, source: str = "body") -> Stored:
        """Change some fields of a practice; the others stay."""
        current = self.store.get(practice_id).model_dump(mode="json")
        if changes.get("id", practice_id) != practice_id:
            raise InvalidInput("id", "het id kan niet gewijzigd worden")
        return self.save(parse_practice({**current, **changes}, source=source))

    def remove(self, practice_id: str) -> None:
        """Delete a practice from the store, then from the vector index."""
        self.store.delete(practice_id)
        self.indexing.after_delete()

    def submit(self, data: Mapping[str, Any], *, source: str = "body") -> Stored:
        """A practitioner's proposal, stored as a draft for the curators (status and review date
        are theirs to set); DuplicatePractice when its id is taken."""
        fields = {k: v for k, v in data.items() if k not in ("status", "last_reviewed")}
        return self.add(parse_practice({**fields, "status": Status.draft.value}, source=source))

    def draft(self, practice_id: str) -> Practice:
        """The draft with this id; NotADraft when the practice is in another state."""
        practice = self.store.get(practice_id)
        if practice.status != Status.draft:
            raise NotADraft(practice_id, practice.status)
        return practice

    def drafts(self) -> list[Practice]:
        """The drafts waiting for a curator."""
        return self.store.list_practices(Filters(status=(Status.draft.value,)))

    def publish(self, practice_id: str) -> Stored:
        """Publish a draft: it appears in search."""
        draft = self.draft(practice_id)
        return self.save(draft.model_copy(update={"status": Status.published}))

    def reject(self, practice_id: str) -> None:
        """Reject a draft: it is deleted."""
        self.draft(practice_id)
        self.remove(practice_id)

    def ingest(self, paths: list[Path], *, strict: bool = False, dry_run: bool = False,
               on_record: Progress | None = None, on_stored: StoredProgress | None = None,
               on_embedded: Progress | None = None, batch: int | None = None) -> Ingested:
        """Read, validate and store files in batches (ingest/pipeline.py), then name the
        near-duplicates among the stored records. `on_embedded` hears of every few practices
        embedded, before their batch is written."""
        updater: Any = self.indexing if on_embedded is None else _Reporting(self.indexing, on_embedded)
        recorder = None if dry_run else RecordingUpdater(updater)
        report = ingest_paths(self.store, paths, indexer=recorder, strict=strict, dry_run=dry_run,
                              on_record=on_record, on_stored=on_stored, batch=batch)
        found: list[DuplicateMatch] = []
        if recorder is not None and (report.added or report.updated):
            stored = [self.store.get(pid) for pid in report.added + report.updated]
            found = self.near_duplicates(stored, vectors=recorder.vectors)
        return Ingested(report, found)


class _Reporting:
    """The index maintenance as ingest's updater, reporting each embedded practice.

    It embeds in `prepare`, before the write, as the maintenance does, but through `encode`,
    which reports progress, after a `prepare` of nothing has checked that the index can take them.
    """

    def __init__(self, indexing: IndexMaintainer, progress: Progress) -> None:
        self.indexing = indexing
        self.progress = progress

    def prepare(self, practices: Sequence[Practice]) -> Any:
        prepared = self.indexing.prepare([])
        prepared.update(self.indexing.encode(practices, progress=self.progress))
        return prepared

    def stage(self, store: PracticeStore, prepared: Any) -> None:
        self.indexing.stage(store, prepared)

    def apply(self, store: PracticeStore, prepared: Any, *, removed: Iterable[int] = ()) -> None:
        self.indexing.apply(store, prepared, removed=removed)
