"""Snippets: the passage of a practice that best matches the query, with matched words marked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalogue.text import DUTCH_STOPWORDS, fold, token_spans

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


def make_snippet(text: str, query_stems: set[str], *, max_chars: int = 240) -> Snippet:
    """The window of whole sentences with the most query matches, cut to max_chars."""
    text = " ".join(text.split())
    sentences = [m for m in _SENTENCE.finditer(text) if m.group().strip()]
    if not sentences:
        return Snippet("", [])
    # One pass over the words of the whole text (stemming is the cost), then count per sentence.
    ends = [m.end() for m in sentences]
    hits = [0] * len(sentences)
    spans = token_spans(text) if query_stems else []
    if query_stems:
        i = 0
        for word_start, _, stem in spans:
            while i < len(ends) - 1 and word_start >= ends[i]:
                i += 1
            if stem in query_stems:
                hits[i] += 1
    best = sentences[max(range(len(sentences)), key=lambda j: (hits[j], -j))]
    start = best.start()
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
    highlights = [
        (s - window_start + offset, e - window_start + offset)
        for s, e, stem in spans
        if window_start <= s and e <= window_end and stem in query_stems
        and fold(text[s:e]) not in DUTCH_STOPWORDS
    ]
    return Snippet(snippet_text, highlights)
