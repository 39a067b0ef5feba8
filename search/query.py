"""What a query says before any ranking: its words, its typos, and whether it is language at all.

- Typos: a word that is neither in the catalogue nor a word of Dutch, French or English is
  looked up within two edits of the catalogue's own words (SymSpell, `symspellpy`):
  "mantelzrog" -> "mantelzorg". The search then runs on the corrected text and the answer
  offers "Bedoelde je ...?".
- Nonsense: a query none of whose words is known (catalogue, a language, a correction) may be
  stopped by the dense gate; a query with a known word never ends in a dead end.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from catalogue import analysis
from catalogue.text import DUTCH_STOPWORDS, content_words, fold

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_EDITS = 2
MIN_TYPO_LENGTH = 5  # shorter words have too many neighbours within two edits


@dataclass(frozen=True)
class QueryPlan:
    """A normalised query: the text to search, its correction, and whether it holds language."""

    text: str
    corrected: str | None
    known: bool

    @property
    def effective(self) -> str:
        return self.corrected or self.text

    def short(self, limit: int) -> bool:
        """Whether the query has at most `limit` content words (stopwords do not count)."""
        return len(content_words(self.effective)) <= limit


class Speller:
    """Corrections towards the words of the catalogue (built per catalogue version)."""

    def __init__(self, counts: dict[str, int]) -> None:
        from symspellpy import SymSpell

        self.counts = counts
        self._sym = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=7)
        for word, n in counts.items():
            if len(word) >= 3 and word.isalpha():
                self._sym.create_dictionary_entry(word, n)

    def correct(self, word: str) -> str | None:
        """The closest catalogue word within two edits (most frequent on ties), or None."""
        from symspellpy import Verbosity

        # One edit for words of up to 7 letters, two for longer: short words have many
        # neighbours ('blorp' is two edits from 'dorp').
        edits = MAX_EDITS if len(word) >= 8 else 1
        found = self._sym.lookup(word, Verbosity.TOP, max_edit_distance=edits)
        if not found or found[0].term == word:
            return None
        return str(found[0].term)


class QueryPlanner:
    """Plans queries against one catalogue vocabulary; thread-safe, rebuilt when it changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: object = None
        self._speller: Speller | None = None

    def speller(self, version: object, counts: dict[str, int] | None) -> Speller | None:
        with self._lock:
            if counts is not None and (self._speller is None or version != self._version):
                self._speller = Speller(counts)
                self._version = version
            return self._speller

    @staticmethod
    def plan(query: str, speller: Speller | None) -> QueryPlan:
        vocabulary = speller.counts if speller else {}
        replacements: dict[str, str] = {}
        known, unknown = False, 0
        for match in _WORD.finditer(query):
            raw = match.group().lower()
            token = fold(raw)
            if token in DUTCH_STOPWORDS or len(token) < 2 or not token.isalpha():
                continue
            # French words are known with their accents ('démence'), the catalogue's folded
            if token in vocabulary or analysis.known_word(raw) or analysis.known_word(token):
                known = True
                continue
            unknown += 1
            if speller is not None and len(token) >= MIN_TYPO_LENGTH and token.isalpha():
                fixed = speller.correct(token)
                if fixed is not None:
                    replacements[token] = fixed
        # Corrections count only when they explain the query: "qwxz blorp" is not "qwxz dorp".
        if not known and len(replacements) < unknown:
            replacements = {}
        known = known or bool(replacements)
        corrected = None
        if replacements:
            corrected = _WORD.sub(lambda m: replacements.get(fold(m.group()), m.group()), query)
        return QueryPlan(query, corrected, known)
