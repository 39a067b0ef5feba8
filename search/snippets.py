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
    best, best_hits = sentences[0], -1
    for sentence in sentences:
        hits = sum(1 for *_, stem in token_spans(sentence.group()) if stem in query_stems)
        if hits > best_hits:
            best, best_hits = sentence, hits
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
    highlights = [
        (s + offset, e + offset)
        for s, e, stem in token_spans(window)
        if stem in query_stems and fold(window[s:e]) not in DUTCH_STOPWORDS
    ]
    return Snippet(snippet_text, highlights)
