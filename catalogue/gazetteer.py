"""Flemish and Brussels place names mapped to their municipality and province.

The facts live in catalogue/data/gemeenten.csv (name, region, kind, municipality), where kind
is 'gemeente' (current municipality), 'fusie' (merged into another on 1 January 2025 or earlier),
'deelgemeente' (part of a municipality) or 'alias' (French or other common name).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from catalogue.text import fold


@dataclass(frozen=True)
class Place:
    """A place name resolved to its current municipality and region key."""

    name: str
    municipality: str
    region: str
    kind: str


def _key(name: str) -> str:
    return re.sub(r"[\s\-']+", " ", fold(name)).strip()


class Gazetteer:
    """Lookup of place names, folding case, diacritics and hyphens."""

    def __init__(self, places: list[Place]) -> None:
        self._places: dict[str, Place] = {}
        for place in places:
            # A current municipality wins over a deelgemeente or alias of the same spelling.
            existing = self._places.get(_key(place.name))
            if existing is None or place.kind == "gemeente":
                self._places[_key(place.name)] = place
        self._pattern: re.Pattern[str] | None = None

    def __len__(self) -> int:
        return len(self._places)

    def lookup(self, name: str) -> Place | None:
        """The place for a name, or None when it is not a known Flemish or Brussels place."""
        return self._places.get(_key(name))

    def municipalities(self) -> list[Place]:
        return sorted((p for p in self._places.values() if p.kind == "gemeente"),
                      key=lambda p: p.name)

    def find_in_text(self, text: str) -> list[Place]:
        """Places named in a free text, in order of first mention, without repeats."""
        if self._pattern is None:
            names = sorted((p.name for p in self._places.values()), key=len, reverse=True)
            self._pattern = re.compile(
                r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)"
            )
        found: dict[str, Place] = {}
        for match in self._pattern.finditer(text):
            place = self.lookup(match.group(1))
            if place and place.municipality not in found:
                found[place.municipality] = place
        return list(found.values())


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The bundled gazetteer, loaded once."""
    source = resources.files("catalogue").joinpath("data/gemeenten.csv")
    with io.TextIOWrapper(source.open("rb"), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return Gazetteer(
        [Place(r["name"], r["municipality"], r["region"], r["kind"]) for r in rows]
    )
