"""Counting two catalogues and comparing their searches: the check after a copy between backends.

`census` counts what one catalogue holds (practices per status, API keys, vectors); `verify` counts
both sides and runs the same sample of searches, taken from the source catalogue itself, on both,
comparing the practice ids of each top 10.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.core import Praktijkbank
from catalogue.errors import IndexOutOfDate
from catalogue.model import Status
from catalogue.store import Filters, PracticeStore

STATUSES = tuple(s.value for s in Status)
STATUS_LABELS = {"draft": "kladversies", "published": "gepubliceerd", "archived": "gearchiveerd"}
SEARCHES = 8  # sample searches compared after a copy
TOP = 10


@dataclass(frozen=True)
class Census:
    """What one catalogue holds: practices per status, API keys (how many revoked), vectors."""

    statuses: dict[str, int]
    keys: int
    revoked: int
    vectors: int | None  # None: no index that fits the model

    @property
    def practices(self) -> int:
        return sum(self.statuses.values())

    def same_records(self, other: Census) -> bool:
        """The same practices per status and the same keys (vectors may lag on a source)."""
        return (self.statuses, self.keys, self.revoked) == (other.statuses, other.keys, other.revoked)


def census(core: Praktijkbank) -> Census:
    """Count what the catalogue holds now."""
    keys = core.keys.export_keys()
    try:
        vectors: int | None = len(core.index)
    except IndexOutOfDate:  # IndexMissing too: nothing embedded yet
        vectors = None
    return Census({s: core.store.count(Filters(status=(s,))) for s in STATUSES}, len(keys),
                  sum(1 for k in keys if k.revoked), vectors)


@dataclass(frozen=True)
class SearchCheck:
    """One sample search run on both sides: the practice ids of each top 10."""

    query: str
    source: list[str]
    target: list[str]

    @property
    def same(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True)
class Verification:
    """Both sides counted after a copy, and the sample searches compared."""

    source: Census
    target: Census
    searches: list[SearchCheck]

    @property
    def counts_match(self) -> bool:
        """The same records, and a vector for every published practice of the target."""
        return self.source.same_records(self.target) and \
            (self.target.vectors or 0) == self.target.statuses.get(Status.published.value, 0)

    @property
    def mismatches(self) -> list[SearchCheck]:
        return [s for s in self.searches if not s.same]


def sample_queries(store: PracticeStore, n: int = SEARCHES) -> list[str]:
    """Up to `n` queries from the catalogue itself: the titles of published practices spread
    over it, and for every second one a theme or target group of it."""
    rids = store.filter_rids(Filters())
    picked = [rids[i * len(rids) // n] for i in range(min(n, len(rids)))] if n > 0 else []
    practices = store.get_many(picked)
    queries = []
    for i, rid in enumerate(picked):
        practice = practices[rid]
        words = [*practice.themes, *practice.target_groups]
        queries.append(words[0] if i % 2 and words else practice.title)
    return list(dict.fromkeys(queries))


def verify(source: Praktijkbank, target: Praktijkbank, *, searches: int = SEARCHES) -> Verification:
    """Count both sides and run the sample searches on both (hybrid, the first page of 10)."""
    checks = []
    queries = sample_queries(source.store, searches)
    if queries:
        source.store.warm()
        target.store.warm()
    for query in queries:
        ids = [[hit.practice.id for hit in core.search.search(query, per_page=TOP).hits]
               for core in (source, target)]
        checks.append(SearchCheck(query, ids[0], ids[1]))
    return Verification(census(source), census(target), checks)
