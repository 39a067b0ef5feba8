"""Where a text is about: municipalities through the gazetteer, provinces and areas by name.

Counts the sentences that name each place and picks the region with the most support; a text
that spreads over three or more regions without a clear leader is about Flanders as a whole.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from catalogue.gazetteer import load_gazetteer
from catalogue.vocab import REGIONS

# Province names, their adjectives and well-known areas that the gazetteer (municipalities)
# does not hold. City names such as Antwerpen and Brussel are found through the gazetteer.
_AREAS: dict[str, tuple[str, ...]] = {
    "antwerpen": ("Antwerpse", "Kempen", "Kempense", "Noorderkempen"),
    "brussel": ("Brusselse", "Bruxelles"),
    "limburg": ("Limburg", "Limburgs", "Limburgse"),
    "oost-vlaanderen": ("Oost-Vlaanderen", "Oost-Vlaams", "Oost-Vlaamse", "Waasland",
                        "Meetjesland", "Vlaamse Ardennen"),
    "vlaams-brabant": ("Vlaams-Brabant", "Vlaams-Brabants", "Vlaams-Brabantse", "Hageland",
                       "Pajottenland"),
    "west-vlaanderen": ("West-Vlaanderen", "West-Vlaams", "West-Vlaamse", "Westhoek"),
    "vlaanderen": ("Vlaanderenbreed", "heel Vlaanderen", "alle Vlaamse provincies",
                   "Vlaanderen en Brussel"),
}
_AREA_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(sorted((re.escape(n) for names in _AREAS.values() for n in names),
                                     key=len, reverse=True)) + r")(?![\w-])"
)
_AREA_REGION = {name: region for region, names in _AREAS.items() for name in names}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
SPREAD_REGIONS = 3       # this many regions without a clear leader: Vlaanderenbreed
LEADER_SHARE = 0.5       # ... where a leader holds at least this share of the mentions


@dataclass(frozen=True)
class RegionGuess:
    """The region a text is about, with the evidence behind it."""

    region: str
    confidence: float
    municipality: str | None = None
    mentions: dict[str, int] = field(default_factory=dict)
    municipalities: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return REGIONS.label(self.region)

    def as_dict(self) -> dict[str, object]:
        return {"region": self.region, "label": self.label, "confidence": round(self.confidence, 3),
                "municipality": self.municipality, "mentions": self.mentions,
                "municipalities": list(self.municipalities)}


def _mentions(text: str) -> tuple[Counter[str], Counter[str], dict[str, str]]:
    """Sentence counts per region and per municipality, and each municipality's region."""
    gazetteer = load_gazetteer()
    regions: Counter[str] = Counter()
    towns: Counter[str] = Counter()
    town_region: dict[str, str] = {}
    for sentence in _SENTENCE_END.split(text):
        seen: set[str] = set()
        for place in gazetteer.find_in_text(sentence):
            towns[place.municipality] += 1
            town_region[place.municipality] = place.region
            seen.add(place.region)
        seen.update(_AREA_REGION[m.group(1)] for m in _AREA_PATTERN.finditer(sentence))
        regions.update(seen)
    return regions, towns, town_region


def guess_region(text: str) -> RegionGuess | None:
    """The region (and municipality) a free text is about, or None when it names no place."""
    regions, towns, town_region = _mentions(text)
    flanders = regions.pop("vlaanderen", 0)
    total = sum(regions.values()) + flanders
    if not total:
        return None
    mentions = dict(regions.most_common())
    top, top_count = regions.most_common(1)[0] if regions else ("vlaanderen", 0)
    spread = len(regions) >= SPREAD_REGIONS and top_count / total < LEADER_SHARE
    if flanders >= top_count or spread:
        confidence = max(flanders / total, min(1.0, len(regions) / 6))
        return RegionGuess("vlaanderen", confidence, None, mentions, tuple(towns))
    local = [name for name, _ in towns.most_common() if town_region[name] == top]
    return RegionGuess(top, top_count / total, local[0] if local else None, mentions, tuple(towns))
