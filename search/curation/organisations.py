"""Organisations named in a Dutch text, found by their shape: no model, only rules.

A name is a run of capitalised words (with small connectors such as 'van' or 'en' inside)
that holds an organisation word (vzw, CAW, OCMW, Hogeschool, Platform, Huis, ... also as the
end of a compound such as 'Arteveldehogeschool' or 'MOgroep') or an acronym ('PXL', 'SAAMO').
Runs are cut at punctuation; capitalised function words that start a sentence are dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from catalogue.gazetteer import load_gazetteer
from catalogue.text import DUTCH_STOPWORDS, fold
from catalogue.vocab import REGIONS

ORG_WORDS = frozenset("""
    vzw caw ocmw ocmw's platform hogeschool universiteit agentschap stad gemeente centrum huis
    dienst diensten vereniging federatie netwerk stichting bibliotheek ministerie departement
    vormingplus samenlevingsopbouw saamo groep cooperatie beweging kabinet raad welzijnsschakels
    wijkgezondheidscentrum jeugdhuis jeugddienst buurtwerk opbouwwerk straathoekwerk ziekenfonds
    mutualiteit school scholengroep provincie vdab
""".split())
ORG_SUFFIXES = ("hogeschool", "groep", "platform", "centrum", "huis", "school", "fonds")
ORG_PREFIXES = ("saamo", "vormingplus", "caw", "ocmw")
CONNECTORS = frozenset({"van", "voor", "en", "de", "het", "der", "den", "'t", "in", "aan", "op"})
# Capitalised adjectives that do not make a name on their own ('het Brusselse netwerk').
GENERIC = frozenset("""
    vlaams vlaamse brussels brusselse limburgs limburgse antwerpse gentse leuvense brugse
    belgisch belgische europese nationaal nationale lokaal lokale regionaal regionale
""".split())
NOT_ORGS = frozenset(fold(w) for w in (
    "DNA", "HR", "TV", "ICT", "CEO", "WhatsApp", "What'sApp", "What’sApp", "LinkedIn", "Linked-In",
    "YouTube", "Facebook", "Instagram", "COVID", "COVID-19", "OK", "PDF", "FAQ",
    "Doelgroep", "Doelgroepen", "Werkgroep", "Stuurgroep", "Stadhuis", "Gemeentehuis",
))
_TOKEN = re.compile(r"\S+")
_EDGE = "\"'“”‘’()[]{}«»<>*_"
_BREAK_AFTER = re.compile(r"[,.;:!?)\]”\"»]$")
_BREAK_BEFORE = re.compile(r"^[(\[“\"«]")


@dataclass(frozen=True)
class _Token:
    text: str
    breaks_before: bool
    breaks_after: bool
    sentence_start: bool


def _tokens(line: str) -> list[_Token]:
    out: list[_Token] = []
    start = True
    for match in _TOKEN.finditer(line):
        raw = match.group()
        word = raw.strip(_EDGE + ",.;:!?")
        if word:
            out.append(_Token(word, bool(_BREAK_BEFORE.search(raw)), bool(_BREAK_AFTER.search(raw)), start))
        start = bool(re.search(r"[.!?:]$", raw)) or (not word and start)
    return out


def _is_acronym(word: str) -> bool:
    """'PXL', 'KdG', 'SAAMOLimburg', 'MOgroep': two or more capitals in one part of a word."""
    parts = re.split(r"[-'’]", word)
    return (any(sum(ch.isupper() for ch in part) >= 2 for part in parts) and word[0].isalpha()
            and fold(word) not in NOT_ORGS)


def _is_org_word(word: str) -> bool:
    folded = fold(word)
    return (folded in ORG_WORDS or folded.startswith(ORG_PREFIXES)
            or (len(folded) > 6 and folded.endswith(ORG_SUFFIXES)))


def _is_name_word(word: str) -> bool:
    return word[0].isupper() or _is_acronym(word)


def _runs(tokens: list[_Token]) -> list[list[_Token]]:
    """Maximal runs of name words, organisation words and inner connectors."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    for token in tokens:
        word = token.text
        fits = _is_name_word(word) or _is_org_word(word) or bool(current and fold(word) in CONNECTORS)
        if token.breaks_before or not fits:
            if current:
                runs.append(current)
            current = [token] if fits else []
        else:
            current.append(token)
        if token.breaks_after and current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [part for run in runs for part in _split_at_en(run)]


def _has_org(tokens: list[_Token]) -> bool:
    return any(_is_org_word(t.text) or _is_acronym(t.text) for t in tokens)


def _split_at_en(run: list[_Token]) -> list[list[_Token]]:
    """'Odisee en de Erasmushogeschool' is two names; 'Integratie en Inburgering' is one."""
    for i, token in enumerate(run):
        if token.text == "en" and 0 < i < len(run) - 1:
            left, right = run[:i], run[i + 1:]
            if _has_org(right) or _is_org_word(left[-1].text):
                return [left, *_split_at_en(right)]
    return [run]


def _trim(run: list[_Token]) -> list[_Token]:
    """Drop function words at both ends, and a capitalised sentence opener ('Vanuit het ...')."""
    start, end = 0, len(run)
    while start < end:
        token, folded = run[start], fold(run[start].text)
        opener = (token.sentence_start and not _is_org_word(token.text) and start + 1 < end
                  and fold(run[start + 1].text) in DUTCH_STOPWORDS | CONNECTORS)
        lower = token.text[0].islower() and not _is_org_word(token.text)
        if not (folded in DUTCH_STOPWORDS or folded in CONNECTORS or lower or opener):
            break
        start += 1
    while end > start and fold(run[end - 1].text) in DUTCH_STOPWORDS | CONNECTORS | GENERIC:
        end -= 1
    return run[start:end]


def _is_place(name: str) -> bool:
    return load_gazetteer().lookup(name) is not None or REGIONS.resolve(name) is not None


def _candidate(run: list[_Token]) -> str | None:
    tokens = _trim(run)
    if not tokens or not _has_org(tokens):
        return None
    words = [t.text for t in tokens]
    words[0] = words[0][0].upper() + words[0][1:]
    name = " ".join(words)
    # A capital that only opens the sentence does not make a name ('Netwerk in de stad').
    opener = tokens[0].sentence_start and not _is_acronym(tokens[0].text)
    capitalised = [t.text for i, t in enumerate(tokens) if (i or not opener) and t.text[0].isupper()
                   and fold(t.text) not in GENERIC]
    if fold(name) in NOT_ORGS or fold(name) in ORG_WORDS or _is_place(name):
        return None
    if not capitalised and not (len(tokens) > 1 and _is_org_word(tokens[0].text)):
        return None
    return name


def find_organisations(text: str, *, limit: int = 8) -> list[str]:
    """Organisation names in a text, the most mentioned first (ties: first mention first)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    strong: set[str] = set()
    for line in text.splitlines():
        for run in _runs(_tokens(line)):
            name = _candidate(run)
            if name is None:
                continue
            counts[name] += 1
            first.setdefault(name, len(first))
            if any(_is_org_word(w) for w in name.split()):
                strong.add(name)
    # Most mentions first; among equals, names with an organisation word before bare acronyms.
    ranked = sorted(counts, key=lambda n: (-counts[n], n not in strong, first[n]))
    return ranked[:limit]
