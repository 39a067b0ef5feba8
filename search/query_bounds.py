"""Bounds on what a query can make the search do, applied before anything is embedded.

A 500-character query of combining marks cost 2.2 s of CPU (BENCHMARKS.md, "Reliability"):
every mark is a token for the embedders and a character for the analyzer. The query is put in
NFC, runs of combining marks are cut to what real scripts use, and the words and characters that
go on are capped.
"""

from __future__ import annotations

import unicodedata

# Combining marks kept after one base character: Vietnamese stacks two, nothing real more.
MAX_MARKS = 2
# Words and characters of a query that are searched; a longer question adds little.
MAX_QUERY_TOKENS = 40
MAX_QUERY_CHARS = 300


def bound_query(text: str, *, max_tokens: int = MAX_QUERY_TOKENS, max_chars: int = MAX_QUERY_CHARS) -> str:
    """The query in NFC, with floods of combining marks cut and at most `max_tokens` words and
    `max_chars` characters, whitespace collapsed."""
    kept: list[str] = []
    run = 0
    for ch in unicodedata.normalize("NFC", text):
        run = run + 1 if unicodedata.combining(ch) else 0
        if run <= MAX_MARKS:
            kept.append(ch)
    return " ".join("".join(kept).split()[:max_tokens])[:max_chars].strip()
