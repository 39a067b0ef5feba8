"""Drafts from free text: an article about a project becomes a draft practice to review.

The title is the first heading-like line (or the first sentence); the summary is the lead
(the first sentences; optionally the most central ones), in reading order; the tags come
from the suggester, the municipality and region from the gazetteer, the organisations from
organisations.find_organisations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from catalogue.errors import InvalidInput
from catalogue.model import Status
from catalogue.text import fold, words
from search.curation.organisations import find_organisations
from search.curation.places import RegionGuess
from search.curation.suggest import Suggestions, TagSuggester
from search.embedders import Embedder

TITLE_MAX = 120
SUMMARY_MAX = 450           # characters; the model allows 600
SUMMARY_SENTENCES = 3
MAX_SENTENCES = 80          # sentences embedded for centrality (the rest only count for order)
DESCRIPTION_MAX = 20_000
UNKNOWN_ORGANISATION = "onbekend"
_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-ZÀ-Ý0-9])")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")


@dataclass(frozen=True)
class Sentence:
    """A sentence with its position in the text."""

    text: str
    position: int


@dataclass
class Draft:
    """A draft practice guessed from an article, with what was found on the way."""

    title: str
    summary: str
    description: str
    organisations: list[str]
    region: RegionGuess | None
    suggestions: Suggestions
    warnings: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """The draft as practice fields (status draft), ready for parse_practice."""
        region = self.region
        return {
            "title": self.title,
            "summary": self.summary,
            "description": self.description,
            "organisation": self.organisations[0] if self.organisations else UNKNOWN_ORGANISATION,
            "region": region.region if region else "vlaanderen",
            "municipality": region.municipality if region else None,
            "krachtlijnen": self.suggestions.suggested("krachtlijnen"),
            "sectors": self.suggestions.suggested("sectors"),
            "status": Status.draft.value,
        }


def clean_text(text: str) -> str:
    """Trimmed lines, no runs of blank lines, no non-breaking-space-only lines."""
    lines = [line.replace("\u00a0", " ").strip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sentences(text: str) -> list[Sentence]:
    """Sentences of running text; short lines without a full stop (headings, captions) are left out."""
    out: list[Sentence] = []
    for line in text.split("\n"):
        full_stop = line.endswith((".", "!", "?", "…", '"', "”"))
        if _HEADING.match(line) or (len(line.split()) < 12 and not full_stop):
            continue
        for part in _SPLIT.split(line):
            part = part.strip()
            if 6 <= len(part.split()) <= 60:
                out.append(Sentence(part if part[-1] in ".!?…\"”’" else part + ".", len(out)))
    return out


def guess_title(text: str) -> str:
    """A Markdown heading, else the first short capitalised line, else the first sentence."""
    lines = [line for line in text.split("\n") if line.strip()]
    for line in lines[:5]:
        if heading := _HEADING.match(line):
            return heading.group(1)[:TITLE_MAX]
    for line in lines[:3]:
        if (15 <= len(line) <= TITLE_MAX and len(line.split()) >= 3 and line[0].isupper()
                and not line.endswith((".", ":", ";", ","))):
            return line
    first = sentences(text)
    title = (first[0].text if first else (lines[0] if lines else "Naamloze praktijk")).rstrip(".")
    if len(title) > TITLE_MAX:
        title = title[:TITLE_MAX].rsplit(" ", 1)[0] + "…"
    return title


def pick_sentences(items: list[Sentence], embedder: Embedder | None = None, *,
                   count: int = SUMMARY_SENTENCES, max_chars: int = SUMMARY_MAX) -> list[Sentence]:
    """Sentences for a summary, in reading order, within max_chars.

    Without an embedder: the lead (first sentences), which measured best on the bundled
    catalogue (BENCHMARKS.md). With one: the sentences closest to the mean sentence vector.
    """
    pool = items[:MAX_SENTENCES]
    order = list(range(len(pool)))
    if embedder is not None and len(pool) > count:
        vectors = embedder.encode_documents([s.text for s in pool])
        order = [int(i) for i in np.argsort(-(vectors @ vectors.mean(axis=0)), kind="stable")]
    chosen: list[Sentence] = []
    used = 0
    for i in order:
        if len(chosen) == count:
            break
        if used + len(pool[i].text) + 1 <= max_chars or not chosen:
            chosen.append(pool[i])
            used += len(pool[i].text) + 1
    return sorted(chosen, key=lambda s: s.position)


def make_summary(text: str, *, title: str = "", embedder: Embedder | None = None) -> str:
    """A summary of 10 to 600 characters from the text's sentences (the title is not repeated)."""
    seen = {fold(title).strip(" .!?")}
    items: list[Sentence] = []
    for sentence in sentences(text):
        key = fold(sentence.text).strip(" .!?")
        if key not in seen:
            seen.add(key)
            items.append(Sentence(sentence.text, len(items)))
    summary = " ".join(s.text for s in pick_sentences(items, embedder)) or " ".join(text.split())[:SUMMARY_MAX]
    if len(summary) > 600:
        summary = summary[:597].rsplit(" ", 1)[0] + "…"
    return summary if len(summary) >= 10 else f"{summary} (samenvatting aan te vullen)"


def make_draft(text: str, *, suggester: TagSuggester, central: bool = False) -> Draft:
    """Turn an article into a draft practice; warnings say what the curator must fill in.

    central=True builds the summary from the most central sentences instead of the lead.
    """
    text = clean_text(text)
    if len(words(text)) < 5:
        raise InvalidInput("tekst", "te kort om er een praktijk uit te halen (minstens een paar zinnen)")
    suggestions = suggester.for_text(text)
    title = guess_title(text)
    draft = Draft(
        title=title,
        summary=make_summary(text, title=title, embedder=suggester.embedder if central else None),
        description=text[:DESCRIPTION_MAX],
        organisations=find_organisations(text),
        region=suggestions.region,
        suggestions=suggestions,
    )
    if draft.region is None:
        draft.warnings.append("geen Vlaamse of Brusselse gemeente of regio gevonden: de regio staat "
                              "voorlopig op 'vlaanderen'")
    elif draft.region.municipality is None:
        draft.warnings.append("geen gemeente gevonden, alleen een regio")
    if not draft.organisations:
        draft.warnings.append(f"geen organisatie gevonden: vul ze in (nu '{UNKNOWN_ORGANISATION}')")
    return draft
