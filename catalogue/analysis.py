"""The Dutch analyzer behind the full-text index and lexical queries: stems, exceptions, compounds.

Chosen by measurement on both relevance sets (BENCHMARKS.md, "Analyzer"):

- PyStemmer's Snowball stemmer, with an exception list for the collisions that cost users
  the right practices: 'ouderen' (older people) and 'ouders' (parents) both stem to 'ouder';
  the new Snowball Dutch stems 'geweld' to 'wel' and 'begeleiden' to 'beleid'; 'dakloze' and
  'daklozen' stem apart.
- Dutch compounds: a long word also indexes its parts ('schuldhulpverlening' -> schuld, hulp,
  verlening), found with the Dutch word frequencies of the `wordfreq` package, so the query
  'schuldhulp' meets a text about 'schuldhulpverlening' and 'armoede' meets 'kinderarmoede'.

The analyzer version is stored with the full-text index: a catalogue analysed by another
version is re-analysed when it is opened (catalogue/store_sqlite.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

# Folded word -> the stem it must get. Words that mean different things must not share a
# stem, and forms of one word must: each line names a collision users met.
STEM_EXCEPTIONS: dict[str, str] = {
    # older people, not parents
    "ouderen": "oudere", "oudere": "oudere", "ouderenzorg": "ouderenzorg",
    "ouders": "ouder", "ouder": "ouder",
    # violence, not 'wel' (well)
    "geweld": "geweld", "gewelddadig": "geweld", "gewelddadige": "geweld",
    # guidance, not 'beleid' (policy)
    "begeleiden": "begeleid", "begeleiding": "begeleid", "begeleid": "begeleid",
    "begeleidt": "begeleid", "begeleider": "begeleider", "begeleiders": "begeleider",
    "begeleidingen": "begeleid",
    # homeless: every form one stem
    "dakloos": "dakloos", "dakloze": "dakloos", "daklozen": "dakloos", "dakloosheid": "dakloos",
    "thuisloos": "thuisloos", "thuisloze": "thuisloos", "thuislozen": "thuisloos",
    "thuisloosheid": "thuisloos",
    # children: 'kinderen' and 'kind' meet
    "kinderen": "kind", "kind": "kind",
}

COMPOUND_MIN_LENGTH = 8     # shorter words are not split
PART_MIN_LENGTH = 4         # 'ver', 'pas', 'weg' as parts split too much
PART_MIN_ZIPF = 2.5         # a part must be a Dutch word seen at least ~3 times per 10M words
# A query word counts as language (not a typo or nonsense) from about 3 uses per 10M words in
# Dutch, French or English: 'lorem', 'asdf' and 'zzz' stay below it.
KNOWN_MIN_ZIPF = 2.5
LINKS = ("s", "en", "e")    # linking sounds: arbeid-s-markt, boek-en-kast, ...
WHOLE_MAX_ZIPF = 3.5        # a common word is one word ('gemeenschap', 'vrijwilliger'), not a compound
# Endings that are Dutch words of their own but, at the end of a word, a suffix: eenzaam-heid.
NOT_PARTS = frozenset("""
    heid heden lijk lijke lijker ing ingen schap schappen baar bare zaam zame achtig achtige isch
    ische erij erijen ster sters tjes tje loos loze lozen ling lingen nis nissen teit iteit ieel
    """.split())


@dataclass(frozen=True)
class AnalyzerConfig:
    """Which analyzer: the benchmark compares these; the product uses the default."""

    stemmer: str = "dutch_porter"
    exceptions: bool = True
    compounds: bool = True
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def version(self) -> str:
        return f"{self.stemmer}|exc={int(self.exceptions)}|cmp={int(self.compounds)}|v2"


class Analyzer:
    """Folded tokens -> stems, with exceptions and compound parts."""

    def __init__(self, config: AnalyzerConfig | None = None) -> None:
        self.config = config or AnalyzerConfig()
        self._stemmer = Stemmer.Stemmer(self.config.stemmer)
        self._stemmer.maxCacheSize = 50_000
        self._exceptions = dict(STEM_EXCEPTIONS) if self.config.exceptions else {}
        self._exceptions.update(self.config.extra)
        self.stem = lru_cache(maxsize=100_000)(self._stem)
        self.parts = lru_cache(maxsize=100_000)(self._parts)

    def _stem(self, token: str) -> str:
        found = self._exceptions.get(token)
        return found if found is not None else self._stemmer.stemWord(token)

    def stems(self, tokens: list[str]) -> list[str]:
        """One stem per token, in order (for highlighting)."""
        return [self.stem(t) for t in tokens]

    def terms(self, tokens: list[str]) -> list[str]:
        """Index and query terms: each token's stem, then the stems of its compound parts."""
        out: list[str] = []
        for token in tokens:
            out.append(self.stem(token))
            if self.config.compounds:
                out.extend(self.stem(part) for part in self.parts(token))
        return out

    def token_forms(self, token: str, *, part_weight: float) -> dict[str, float]:
        """A query word's terms with weights: its own stem 1, its compound parts `part_weight`."""
        forms = {self.stem(token): 1.0}
        if self.config.compounds:
            for part in self.parts(token):
                term = self.stem(part)
                forms[term] = max(forms.get(term, 0.0), part_weight)
        return forms

    def _parts(self, word: str) -> tuple[str, ...]:
        """The parts of a Dutch compound ('buurtopbouwwerk' -> buurt, opbouwwerk, opbouw, werk).

        A person noun in -er(s) also gives the activity it names, which Snowball leaves alone:
        'mantelzorgers' -> mantelzorg (and its parts), 'sekswerkers' -> sekswerk.
        """
        base = _agent_base(word)
        if base is not None:
            return (base, *self.parts(base))
        return self._compound(word)

    def _compound(self, word: str) -> tuple[str, ...]:
        if len(word) < COMPOUND_MIN_LENGTH or not word.isalpha() or _zipf(word) >= WHOLE_MAX_ZIPF:
            return ()
        best: tuple[float, str, str] | None = None
        for i in range(PART_MIN_LENGTH, len(word) - PART_MIN_LENGTH + 1):
            head, tail = word[:i], word[i:]
            if tail in NOT_PARTS:
                continue
            left = _known_head(head)
            if left is None:
                continue
            tail_score = _zipf(tail)
            if tail_score < PART_MIN_ZIPF and not self.parts(tail):
                continue
            score = min(_zipf(left), max(tail_score, PART_MIN_ZIPF))
            if best is None or score > best[0]:
                best = (score, left, tail)
        if best is None:
            return ()
        _, left, tail = best
        return (left, *self.parts(left), tail, *self.parts(tail))


def _agent_base(word: str) -> str | None:
    for ending in ("ers", "er"):
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= 5 and base.isalpha() and _zipf(base) >= 1.0:
            return base
    return None


def _known_head(head: str) -> str | None:
    """The head as a word, with a linking sound removed where that makes it one."""
    if _zipf(head) >= PART_MIN_ZIPF:
        return head
    for link in LINKS:
        stripped = head[: -len(link)]
        if head.endswith(link) and len(stripped) >= PART_MIN_LENGTH and _zipf(stripped) >= PART_MIN_ZIPF:
            return stripped
    return None


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "nl"))


@lru_cache(maxsize=100_000)
def known_word(word: str) -> bool:
    """Whether a folded word is a word of Dutch, French or English (not a typo, not nonsense)."""
    from wordfreq import zipf_frequency

    return any(zipf_frequency(word, lang) >= KNOWN_MIN_ZIPF for lang in ("nl", "fr", "en"))


_current = Analyzer()


def current() -> Analyzer:
    """The analyzer in use by this process."""
    return _current


def configure(config: AnalyzerConfig) -> Analyzer:
    """Switch the analyzer (the relevance benchmark compares configurations); returns it.

    The full-text index must be rebuilt afterwards (`store.rebuild_fts()`).
    """
    global _current
    _current = Analyzer(config)
    return _current
