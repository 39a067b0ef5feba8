"""The store interface: what ingest, search and the API need from the source of truth.

SQLite (catalogue/store_sqlite.py) implements it today; a PostgreSQL backend can implement the
same protocol later without touching ingest, ranking or the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
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
    """The source of truth for practices, with filtering, full-text search and facets."""

    path: Path

    def transaction(self) -> AbstractContextManager[None]: ...

    def upsert_many(self, practices: Iterable[Practice], *, dry_run: bool = False) -> UpsertResult: ...

    def get(self, practice_id: str) -> Practice: ...

    def rid_of(self, practice_id: str) -> int: ...

    def get_many(self, rids: Iterable[int]) -> dict[int, Practice]: ...

    def list(self, filters: Filters, *, limit: int | None = None, offset: int = 0) -> list[Practice]: ...

    def iter_all(self) -> Iterator[Practice]: ...

    def delete(self, practice_id: str) -> int: ...

    def count(self, filters: Filters | None = None) -> int: ...

    def filter_rids(self, filters: Filters, *, by_title: bool = False) -> list[int]: ...

    def fts_search(self, terms: list[str], filters: Filters, *, limit: int,
                   rids: Sequence[int] | None = None) -> list[tuple[int, float]]: ...

    def fts_scores(self, terms: list[str], filters: Filters, *, limit: int,
                   rids: Sequence[int] | None = None,
                   weights: Mapping[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]: ...

    def word_counts(self) -> dict[str, int]: ...

    def term_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]: ...

    def facet_counts(self, rids: Iterable[int]) -> dict[str, dict[str, int]]: ...

    def index_entries(self) -> list[IndexEntry]: ...

    def texts_for(self, rids: Iterable[int]) -> dict[int, str]: ...

    def backup(self, target: Path) -> int: ...

    def restore(self, source: Path, *, with_keys: bool = False) -> RestoreResult: ...

    def bad_rows(self) -> dict[int, str]: ...

    def derived_problems(self) -> list[str]: ...

    def read_only_reason(self) -> str | None: ...

    def rebuild_derived(self) -> int: ...

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
