"""The store interface: what ingest, search and the API need from the source of truth.

SQLite (catalogue/store_sqlite.py) implements it today; a PostgreSQL backend can implement the
same protocol later without touching ingest, ranking or the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from catalogue.model import Practice

FACET_KINDS = ("krachtlijn", "region", "sector")
FILTER_KINDS = ("krachtlijn", "region", "sector", "target_group", "theme")


@dataclass(frozen=True)
class Filters:
    """Search filters: values of one kind are OR-ed, different kinds are AND-ed."""

    krachtlijn: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    target_group: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    status: tuple[str, ...] = ("published",)

    def by_kind(self) -> dict[str, tuple[str, ...]]:
        return {kind: getattr(self, kind) for kind in FILTER_KINDS if getattr(self, kind)}

    @property
    def is_empty(self) -> bool:
        return not self.by_kind()


@dataclass
class UpsertResult:
    """What a batch write did, by practice id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        return self.added + self.updated


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the practices it brought back and what happened to the API keys."""

    practices: int
    keys_kept: int  # the current keys, kept in place of the backup's (0 with with_keys)
    keys_in_backup: int
    with_keys: bool


@dataclass(frozen=True)
class IndexEntry:
    """A published practice as the vector index must hold it."""

    rid: int
    content_hash: str


class PracticeStore(Protocol):
    """The source of truth for practices, with filtering, full-text search and facets.

    Every method a caller uses is here; the contract tests (tests/contracts) run each backend
    through the same checks."""

    path: Path

    # -- writes ---------------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        """One write transaction; nested calls join the outer one."""

    def upsert_many(self, practices: Iterable[Practice], *, dry_run: bool = False) -> UpsertResult:
        """Insert or update by id in one transaction; unchanged records are not touched."""

    def delete(self, practice_id: str) -> int:
        """Delete a practice and its derived rows; its rid (PracticeNotFound when there is none)."""

    # -- reads ----------------------------------------------------------------------------

    def get(self, practice_id: str) -> Practice: ...

    def exists(self, practice_id: str) -> bool: ...

    def rid_of(self, practice_id: str) -> int: ...

    def get_many(self, rids: Iterable[int]) -> dict[int, Practice]:
        """Practices by rid, as copies; unknown rids are left out."""

    def list_practices(self, filters: Filters, *, limit: int | None = None, offset: int = 0) -> list[Practice]:
        """Practices matching the filters, by title."""

    def count(self, filters: Filters | None = None) -> int:
        """Practices matching the filters; all of them (every status) without."""

    def version(self) -> int:
        """The committed catalogue's version as this process knows it: it moves with every
        commit, of this process or another (the signal of the in-memory read views)."""

    def filter_rids(self, filters: Filters, *, by_title: bool = False) -> list[int]:
        """Rids matching the filters, ascending (or by title)."""

    def facet_counts(self, rids: Iterable[int]) -> dict[str, dict[str, int]]:
        """Counts per facet kind and value over these rids, by count then value."""

    def tag_counts(self, filters: Filters) -> dict[str, dict[str, int]]:
        """Counts per facet kind and value over the practices matching the filters."""

    def index_entries(self) -> list[IndexEntry]:
        """The published practices as the vector index must hold them."""

    # -- the keyword side -----------------------------------------------------------------

    def fts_scores(self, terms: Sequence[str], filters: Filters, *, limit: int,
                   rids: Sequence[int] | None = None,
                   weights: Mapping[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """BM25 over the analysed terms, best first, as (rids, scores)."""

    def term_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(documents, documents holding each term)."""

    def word_counts(self) -> dict[str, int]:
        """Folded word -> count over the published practices (the speller's vocabulary)."""

    def fts_rowids(self) -> list[int]:
        """The rids the full-text index holds."""

    def rebuild_fts(self) -> int:
        """Rebuild the full-text index from the practices, with the current analyzer."""

    # -- health, backups and the read views -------------------------------------------

    def bad_rows(self) -> dict[int, str]:
        """Stored rows the model rejects, by rid, each named with its id and field."""

    def derived_problems(self) -> list[str]:
        """Derived tables that are missing or out of step with the practices."""

    def read_only_reason(self) -> str | None: ...

    def rebuild_derived(self) -> int:
        """Rebuild every derived table from the practices."""

    def backup(self, target: Path) -> int: ...

    def restore(self, source: Path, *, with_keys: bool = False) -> RestoreResult: ...

    def warm(self) -> None:
        """Build the in-memory read views now."""

    def is_warm(self) -> bool: ...

    def close(self) -> None: ...


def open_store(path: Path, *, create: bool = True) -> PracticeStore:
    """The store for a path; the backend is chosen by the path's form."""
    from catalogue.store_sqlite import SqliteStore

    return SqliteStore(path, create=create)


def make_filters(
    *,
    krachtlijn: Iterable[str] = (),
    region: Iterable[str] = (),
    sector: Iterable[str] = (),
    target_group: Iterable[str] = (),
    theme: Iterable[str] = (),
    status: Iterable[str] = ("published",),
) -> Filters:
    """Filters from user values: vocabulary aliases resolve, unknown values raise InvalidInput."""
    from catalogue.errors import InvalidInput
    from catalogue.model import Status
    from catalogue.vocab import VOCABULARIES

    def resolve(kind: str, values: Iterable[str]) -> tuple[str, ...]:
        vocab = VOCABULARIES[kind]
        keys: list[str] = []
        for value in values:
            key = vocab.resolve(value)
            if key is None:
                raise InvalidInput(kind, f"onbekende waarde '{value}'; kies uit: {', '.join(vocab.keys)}")
            keys.append(key)
        return tuple(dict.fromkeys(keys))

    statuses = tuple(dict.fromkeys(s.strip().lower() for s in status))
    for s in statuses:
        if s not in Status.__members__:
            raise InvalidInput("status", f"onbekende status '{s}'; kies uit: draft, published, archived")
    free = lambda values: tuple(dict.fromkeys(v.strip().lower() for v in values if v.strip()))  # noqa: E731
    return Filters(
        krachtlijn=resolve("krachtlijn", krachtlijn), region=resolve("region", region),
        sector=resolve("sector", sector), target_group=free(target_group), theme=free(theme),
        status=statuses,
    )
