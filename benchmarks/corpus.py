"""A deterministic generator of realistic Dutch practice records for the speed benchmarks.

Records combine the real vocabularies (krachtlijnen, regions and sectors from catalogue/vocab.py,
municipalities from the gazetteer) with Dutch building blocks in benchmarks/vocab/corpus_nl.yaml:
kinds of practice, target groups, places, organisations and description sentences.

Record i depends only on (seed, i), so a corpus of 1k is the first 1k records of the 10k and
100k corpora: vectors cached for a small corpus are reused for a larger one.

Usage: python -m benchmarks.corpus 1000 -o corpus.jsonl
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from catalogue.gazetteer import Place, load_gazetteer
from catalogue.text import slugify
from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS

SEED = 20261122
VOCAB_PATH = Path(__file__).resolve().parent / "vocab" / "corpus_nl.yaml"
# Share of records that work across Flanders rather than in one municipality.
FLANDERS_WIDE = 0.07
# Share of records that name a deelgemeente instead of the municipality itself.
DEELGEMEENTE = 0.1


@dataclass(frozen=True)
class Activity:
    """A kind of practice: title words, its sectors, themes, groups and what happens there."""

    titles: tuple[str, ...]
    sectors: tuple[str, ...]
    themes: tuple[str, ...]
    groups: tuple[str, ...]
    krachtlijnen: tuple[str, ...]
    doen: tuple[str, ...]


@dataclass(frozen=True)
class CorpusVocabulary:
    """Every building block of a record."""

    activities: tuple[Activity, ...]
    project_names: tuple[str, ...]
    places: tuple[str, ...]
    organisations: tuple[str, ...]
    partners: tuple[str, ...]
    sentences: dict[str, tuple[str, ...]]
    municipalities: tuple[Place, ...]
    deelgemeenten: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def load_vocabulary(path: Path = VOCAB_PATH) -> CorpusVocabulary:
    """The building blocks, checked against the controlled vocabularies."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    activities = tuple(
        Activity(**{k: tuple(v) for k, v in item.items()}) for item in raw["activities"]
    )
    for a in activities:
        assert all(s in SECTORS for s in a.sectors), a.sectors
        assert all(k in KRACHTLIJNEN for k in a.krachtlijnen), a.krachtlijnen
    gazetteer = load_gazetteer()
    return CorpusVocabulary(
        activities=activities,
        project_names=tuple(raw["project_names"]),
        places=tuple(raw["places"]),
        organisations=tuple(raw["organisations"]),
        partners=tuple(raw["partners"]),
        sentences={k: tuple(v) for k, v in raw["sentences"].items()},
        municipalities=tuple(gazetteer.municipalities()),
        deelgemeenten=_deelgemeenten(),
    )


def _deelgemeenten() -> dict[str, tuple[str, ...]]:
    """Municipality -> its deelgemeenten, from the gazetteer's source file."""
    import csv
    from importlib import resources

    parts: dict[str, list[str]] = {}
    source = resources.files("catalogue").joinpath("data/gemeenten.csv")
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["kind"] == "deelgemeente":
                parts.setdefault(row["municipality"], []).append(row["name"])
    return {k: tuple(v) for k, v in parts.items()}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(template: str, slots: dict[str, str]) -> str:
    return _capital(template.format(**slots))


def _pick_some(rng: random.Random, pool: Sequence[str], low: int, high: int) -> list[str]:
    return rng.sample(list(pool), k=min(len(pool), rng.randint(low, high)))


def _location(rng: random.Random, vocab: CorpusVocabulary) -> tuple[str, str | None, str]:
    """(region key, municipality or None, the place name used in the text)."""
    if rng.random() < FLANDERS_WIDE:
        return "vlaanderen", None, "Vlaanderen"
    place = rng.choice(vocab.municipalities)
    parts = vocab.deelgemeenten.get(place.municipality, ())
    if parts and rng.random() < DEELGEMEENTE:
        part = rng.choice(parts)
        return place.region, part, part
    return place.region, place.municipality, place.municipality


def _title(rng: random.Random, activity_title: str, project: str, group: str, town: str) -> str:
    templates = (
        f"{activity_title} {town}",
        f"{activity_title} voor {group}",
        f"{project}: {activity_title} in {town}",
        f"{activity_title} {project}",
        f"{project} – {activity_title.lower()} voor {group}",
    )
    return rng.choice(templates)


def _summary(rng: random.Random, vocab: CorpusVocabulary, activity: Activity, group: str,
             region: str, town: str) -> str:
    does = rng.choice(activity.doen)
    if region == "vlaanderen":
        where = rng.choice(("op verschillende plekken in Vlaanderen en Brussel",
                            "in tientallen gemeenten in heel Vlaanderen"))
    else:
        where = rng.choice(vocab.places).format(gemeente=town)
    return f"{_capital(group)} {does} {where}."


def _description(rng: random.Random, vocab: CorpusVocabulary, krachtlijnen: list[str],
                 slots: dict[str, str]) -> str:
    chosen = [rng.choice(vocab.sentences[k]) for k in krachtlijnen[:2]]
    chosen += rng.sample(vocab.sentences["algemeen"], k=rng.randint(1, 2))
    rng.shuffle(chosen)
    return " ".join(_fill(s, slots) for s in chosen)


def _organisation(rng: random.Random, vocab: CorpusVocabulary, region: str, town: str,
                  project: str) -> str:
    templates = [t for t in vocab.organisations if region != "vlaanderen" or "{gemeente}" not in t]
    province = "Vlaanderen" if region == "vlaanderen" else REGIONS.label(region)
    return rng.choice(templates).format(gemeente=town, provincie=province, project=project)


def record(i: int, *, seed: int = SEED) -> dict[str, Any]:
    """Record number i of the corpus with this seed, as an ingestable dict."""
    rng = random.Random(f"{seed}:{i}")
    vocab = load_vocabulary()
    activity = rng.choice(vocab.activities)
    region, municipality, town = _location(rng, vocab)
    group = rng.choice(activity.groups)
    project = rng.choice(vocab.project_names)
    title = _title(rng, rng.choice(activity.titles), project, group, town)
    sectors = _pick_some(rng, activity.sectors, 1, len(activity.sectors))
    if rng.random() < 0.2:
        sectors.append(rng.choice(SECTORS.keys))
    krachtlijnen = _pick_some(rng, activity.krachtlijnen, 1, len(activity.krachtlijnen))
    if rng.random() < 0.25:
        krachtlijnen.append(rng.choice(KRACHTLIJNEN.keys))
    krachtlijnen = list(dict.fromkeys(krachtlijnen))
    organisation = _organisation(rng, vocab, region, town, project)
    slots = {"groep": group, "partner": rng.choice(vocab.partners), "organisatie": organisation,
             "gemeente": town, "jaar": str(rng.randint(2008, 2025))}
    created = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 8 * 365))
    data: dict[str, Any] = {
        "id": _record_id(i, title),
        "title": title,
        "summary": _summary(rng, vocab, activity, group, region, town),
        "description": _description(rng, vocab, krachtlijnen, slots),
        "organisation": organisation,
        "region": region,
        "sectors": list(dict.fromkeys(sectors)),
        "krachtlijnen": krachtlijnen,
        "target_groups": list(dict.fromkeys([group, *_pick_some(rng, activity.groups, 0, 1)])),
        "themes": _pick_some(rng, activity.themes, 1, 3),
        "website": f"https://praktijken.example/{i}",
        "created": created.isoformat(),
        "status": "published",
    }
    if municipality:
        data["municipality"] = municipality
    return data


def _record_id(i: int, title: str) -> str:
    return f"p{i:07d}-{slugify(title)}"[:80].rstrip("-")


def generate(n: int, *, seed: int = SEED, start: int = 0) -> Iterator[dict[str, Any]]:
    """Records start .. start+n-1."""
    for i in range(start, start + n):
        yield record(i, seed=seed)


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records as JSONL (the format `praktijkbank ingest` reads); returns the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for item in records:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    return count


def selective_filters(records: Sequence[dict[str, Any]], *, share: float = 0.01,
                      count: int = 3) -> list[dict[str, list[str]]]:
    """Region + sector (+ krachtlijn) combinations matching about `share` of the records.

    The combinations closest to the share are taken, at most one per region, and never one that
    matches nothing.
    """
    combos: Counter[tuple[str, ...]] = Counter()
    for r in records:
        for s in r["sectors"]:
            combos[(r["region"], s)] += 1
            for k in r["krachtlijnen"]:
                combos[(r["region"], s, k)] += 1
    target = share * len(records)
    ranked = sorted(combos.items(), key=lambda item: (abs(item[1] - target), item[0]))
    chosen: list[dict[str, list[str]]] = []
    regions: set[str] = set()
    for combo, _ in ranked:
        if combo[0] in regions:
            continue
        regions.add(combo[0])
        chosen.append({"region": [combo[0]], "sector": [combo[1]],
                       **({"krachtlijn": [combo[2]]} if len(combo) == 3 else {})})
        if len(chosen) == count:
            break
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic corpus as JSONL.")
    parser.add_argument("size", type=int)
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(write_jsonl(args.out, generate(args.size, seed=args.seed)), "records ->", args.out)


if __name__ == "__main__":
    main()
