"""Snippets: the passage of a practice that best matches the query, with matched words marked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from catalogue.text import DUTCH_STOPWORDS, fold_word, token_spans

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass(frozen=True)
class Snippet:
    """Plain text plus [start, end) character ranges to highlight; never HTML."""

    text: str
    highlights: list[tuple[int, int]]

    def marked(self, open_tag: str = "[", close_tag: str = "]") -> str:
        out, last = [], 0
        for start, end in self.highlights:
            out += [self.text[last:start], open_tag, self.text[start:end], close_tag]
            last = end
        out.append(self.text[last:])
        return "".join(out)


@dataclass(frozen=True)
class _Analysed:
    """A text as snippets need it: whitespace collapsed, its sentences and its stemmed words."""

    text: str
    sentences: tuple[tuple[int, int], ...]  # [start, end) of each non-empty sentence
    spans: dict[str, tuple[tuple[int, int, int], ...]]  # stem -> (start, end, sentence) of its words


@lru_cache(maxsize=4096)
def _analyse(text: str) -> _Analysed:
    """Stemming is the cost of a snippet; the same practices show up search after search."""
    text = " ".join(text.split())
    sentences = tuple((m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip())
    spans: dict[str, list[tuple[int, int, int]]] = {}
    i = 0
    for start, end, stem in token_spans(text):
        while i < len(sentences) - 1 and start >= sentences[i][1]:
            i += 1
        spans.setdefault(stem, []).append((start, end, i))
    return _Analysed(text, sentences, {stem: tuple(words) for stem, words in spans.items()})


def make_snippet(text: str, query_stems: set[str], *, max_chars: int = 240) -> Snippet:
    """The window of whole sentences with the most query matches, cut to max_chars."""
    analysed = _analyse(text)
    text, spans = analysed.text, analysed.spans
    if not analysed.sentences:
        return Snippet("", [])
    matched = [word for stem in query_stems for word in spans.get(stem, ())]
    hits = [0] * len(analysed.sentences)
    for _, _, sentence in matched:
        hits[sentence] += 1
    best = max(range(len(hits)), key=lambda j: (hits[j], -j))
    start = analysed.sentences[best][0]
    end = min(len(text), start + max_chars)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    window = text[start:end].strip()
    suffix = "…" if end < len(text) else ""
    prefix = "…" if start > 0 else ""
    snippet_text = prefix + window + suffix
    offset = len(prefix)
    # The window is a slice of the text: its words are the text's spans that lie inside it.
    window_start = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    window_end = window_start + len(window)
    highlights = sorted(
        (s - window_start + offset, e - window_start + offset)
        for s, e, _ in matched
        if window_start <= s and e <= window_end and fold_word(text[s:e]) not in DUTCH_STOPWORDS
    )
    return Snippet(snippet_text, highlights)
