"""French and English query phrases -> the Dutch words the catalogue uses (search/glossary.yaml).

The keyword side of search (BM25 over Dutch stems) finds nothing for "personnes âgées" or
"homeless people": the catalogue says "ouderen" and "daklozen". The dense side is multilingual
and needs no help. So the service adds the Dutch words of every glossary phrase found in a query
to its keyword terms (and to the words that snippets highlight); Dutch queries are unaffected.
The glossary was written from the domain (seeds, vocabularies, practice texts), blind to the
relevance set that measures it.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import yaml

from catalogue.text import words

GLOSSARY = Path(__file__).with_name("glossary.yaml")


@lru_cache(maxsize=1)
def _by_first_word() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Glossary phrases as folded word tuples, grouped by their first word."""
    data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8")) or {}
    table: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for language in ("fr", "en"):
        for phrase, dutch in (data.get(language) or {}).items():
            key = tuple(words(str(phrase)))
            if key and dutch:
                table[key[0]].append((key, str(dutch)))
    return dict(table)


def dutch_for(query: str) -> str:
    """The Dutch words of every glossary phrase that occurs in the query (as whole words), or ''."""
    table = _by_first_word()
    tokens = words(query)
    found: dict[str, None] = {}
    for i, token in enumerate(tokens):
        for key, dutch in table.get(token, ()):
            if tuple(tokens[i:i + len(key)]) == key:
                found[dutch] = None
    return " ".join(found)
