"""Text normalisation shared by the store (FTS) and search: folding, Dutch stemming, slugs."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from slugify import slugify as _slugify

from catalogue import analysis

_WORD = re.compile(r"\w+", re.UNICODE)
# A sentence ends at . ! ? or … followed by white space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n+\s*")
MAX_SENTENCES = 64

# Short Dutch function words that carry no meaning for retrieval. Kept small on purpose:
# BM25's IDF already discounts frequent words; this only removes the noise words.
DUTCH_STOPWORDS = frozenset(
    """
    de het een en of van voor met in op aan te tot door bij uit om als dat die dit deze
    er is zijn was waren wordt worden werd hun hen ze zij wij we je jij u ik hij
    niet geen ook nog maar dan zo al naar over onder tussen na via zonder wat wie waar hoe
    welke elk elke iets ons onze mijn jouw haar hem kan kunnen moet moeten wil willen
    le la les un une des du et ou pour avec dans sur au aux en qui que
    the a an and or of for with in on to by at from is are be this that
    """.split()
)


def fold(text: str) -> str:
    """Lowercase and strip diacritics: 'Babbelonië' -> 'babbelonie'."""
    folded = text.casefold()
    if folded.isascii():  # nothing to strip (most Dutch words): skip the per-character pass
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str) -> str:
    """A stable ASCII slug for ids: 'Babbelonië 2.0' -> 'babbelonie-2-0'."""
    return _slugify(text, max_length=80, word_boundary=True)


def words(text: str) -> list[str]:
    """Folded word tokens of a text, in order."""
    return _WORD.findall(fold(text))


def stem_words(tokens: list[str]) -> list[str]:
    """Dutch stems of already folded tokens, one per token (catalogue/analysis.py)."""
    return analysis.current().stems(tokens)


def content_words(text: str) -> list[str]:
    """Folded words of a text without the stopwords: the words a query is about."""
    return [t for t in words(text) if t not in DUTCH_STOPWORDS]


def analyze(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Text -> folded, stemmed terms: the analyzer behind the FTS index and lexical queries."""
    tokens = words(text)
    if drop_stopwords:
        tokens = [t for t in tokens if t not in DUTCH_STOPWORDS]
    return analysis.current().terms(tokens)


# Snippets fold the words of ten results per search, one by one; words repeat across results
# and queries, so a cache takes ~1.5 ms off each search (benchmarks/speed.py).
fold_word = lru_cache(maxsize=65_536)(fold)


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, stem) for each word of the original text, for highlighting."""
    spans = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    stems = stem_words([fold_word(w) for _, _, w in spans])
    return [(start, end, stem) for (start, end, _), stem in zip(spans, stems, strict=False)]


def split_sentences(text: str, *, limit: int = MAX_SENTENCES) -> list[str]:
    """The non-empty sentences (or lines) of a text, at most `limit`: a long text keeps its start.

    Shared by USE's document vectors (the mean of their sentences) and the index's sentence
    vectors (a practice also scores by its best-matching sentence). Never empty.
    """
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    return sentences[:limit] or [text.strip() or " "]


def word_counts(texts: Iterable[str]) -> dict[str, int]:
    """Folded word -> count over texts."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words(text))
    return dict(counts)
