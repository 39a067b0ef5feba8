"""Coverage: how many practices the catalogue holds per krachtlijn and region.

Pure counts, so curators see where the catalogue is thin. A practice with several krachtlijnen
counts once in each of their rows; the region totals count practices, not tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from catalogue.model import Practice
from catalogue.store import Filters, PracticeStore
from catalogue.vocab import KRACHTLIJNEN, REGIONS

THEMES = Path(__file__).with_name("data") / "themes.yaml"


@dataclass(frozen=True)
class Coverage:
    """Counts per (krachtlijn, region), with the row and column keys in vocabulary order."""

    krachtlijnen: tuple[str, ...]
    regions: tuple[str, ...]
    cells: dict[tuple[str, str], int]
    per_region: dict[str, int]
    per_krachtlijn: dict[str, int]
    total: int
    # Practices per theme of catalogue/data/themes.yaml, in that file's order.
    per_theme: dict[str, int] = field(default_factory=dict)

    def count(self, krachtlijn: str, region: str) -> int:
        return self.cells.get((krachtlijn, region), 0)

    def matrix(self) -> list[list[int]]:
        """Rows per krachtlijn, columns per region."""
        return [[self.count(k, r) for r in self.regions] for k in self.krachtlijnen]

    def thinnest(self, limit: int = 5) -> list[tuple[str, str, int]]:
        """The emptiest cells (krachtlijn, region, count), fewest first, in vocabulary order."""
        cells = [(k, r, self.count(k, r)) for k in self.krachtlijnen for r in self.regions]
        return sorted(cells, key=lambda c: c[2])[:limit]

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "krachtlijnen": [{"key": k, "label": KRACHTLIJNEN.label(k), "count": self.per_krachtlijn[k]}
                             for k in self.krachtlijnen],
            "regions": [{"key": r, "label": REGIONS.label(r), "count": self.per_region[r]}
                        for r in self.regions],
            "matrix": self.matrix(),
            "thinnest": [{"krachtlijn": k, "region": r, "count": n} for k, r, n in self.thinnest()],
            "themes": [{"key": t.key, "label": t.label, "count": self.per_theme.get(t.key, 0)}
                       for t in load_themes()],
        }


def count_coverage(practices: Iterable[Practice]) -> Coverage:
    """Coverage of the given practices (every krachtlijn and region appears, also with 0)."""
    cells: dict[tuple[str, str], int] = {}
    per_region = dict.fromkeys(REGIONS.keys, 0)
    per_krachtlijn = dict.fromkeys(KRACHTLIJNEN.keys, 0)
    total = 0
    themes = load_themes()
    per_theme = dict.fromkeys((t.key for t in themes), 0)
    for practice in practices:
        total += 1
        tags = {tag.lower() for tag in (*practice.themes, *practice.target_groups)}
        for theme in themes:
            if theme.holds(tags):
                per_theme[theme.key] += 1
        per_region[practice.region] = per_region.get(practice.region, 0) + 1
        for k in practice.krachtlijnen:
            per_krachtlijn[k] = per_krachtlijn.get(k, 0) + 1
            cells[(k, practice.region)] = cells.get((k, practice.region), 0) + 1
    return Coverage(tuple(KRACHTLIJNEN.keys), tuple(REGIONS.keys), cells, per_region, per_krachtlijn, total,
                    per_theme)


@dataclass(frozen=True)
class Theme:
    """A theme the catalogue must cover, and the tags that count for it."""

    key: str
    label: str
    tags: frozenset[str]
    all_of: tuple[frozenset[str], ...] = ()

    def holds(self, tags: set[str]) -> bool:
        """Whether a practice with these (lowercase) tags is about the theme."""
        if tags & self.tags:
            return True
        return bool(self.all_of) and all(tags & group for group in self.all_of)


@lru_cache(maxsize=1)
def load_themes(path: Path = THEMES) -> tuple[Theme, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(Theme(t["key"], t["label"], frozenset(x.lower() for x in t["tags"]),
                       tuple(frozenset(x.lower() for x in g) for g in t.get("all_of") or ()))
                 for t in data)


def coverage_of(store: PracticeStore, *, status: tuple[str, ...] = ("published",)) -> Coverage:
    """Coverage of the practices in the store with the given statuses (published by default)."""
    return count_coverage(store.list_practices(Filters(status=status)))
