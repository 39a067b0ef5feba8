"""The keyword side of a query: its terms, their weights, and the score that means "about it".

A query's words become groups of alternative terms:
- each word: its stem, plus its compound parts at a lower weight; when the catalogue never
  holds the whole word ('schuldhulp'), its parts carry full weight;
- the Dutch words of French and English glossary phrases: one group of synonyms.

`ideal` is the BM25 score of a practice that holds the best term of every group once, at
average length. A practice's keyword score as a share of it says how much of the query it
holds, whatever else the catalogue holds: the anchor of the keyword side in
`search.fusion.anchored_convex`. Terms the catalogue lacks count for nothing in it.

`whole` is `ideal` plus, for each word of the language (Dutch, French or English) that the
catalogue lacks in every form, the score such a rare word would carry. A practice's keyword
score as a share of it says how much of the *query* the catalogue can hold: "bitcoin koers"
finds "koers", but "bitcoin" is the point of the query and no practice holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.analysis import Analyzer, known_word
from catalogue.lexicon import idf
from catalogue.store import PracticeStore
from catalogue.text import content_words


@dataclass(frozen=True)
class LexicalQuery:
    """Weighted keyword terms and the ideal score."""

    weights: dict[str, float]
    ideal: float
    whole: float = 0.0

    @property
    def terms(self) -> list[str]:
        return sorted(self.weights)


def lexical_query(store: PracticeStore, analyzer: Analyzer, text: str, synonyms: str, *,
                  part_weight: float) -> LexicalQuery:
    """The keyword terms of `text`, with `synonyms` (the glossary's Dutch words) as one group.

    A word the glossary translates is not missing: its Dutch words stand in for it.
    """
    tokens = content_words(text)
    groups = [analyzer.token_forms(token, part_weight=part_weight) for token in tokens]
    synonym_group: dict[str, float] = {}
    for token in content_words(synonyms):
        synonym_group.update({term: 1.0 for term in analyzer.token_forms(token, part_weight=1.0)})
    if synonym_group:
        groups.append(synonym_group)
    terms = sorted({term for group in groups for term in group})
    if not terms:
        return LexicalQuery({}, 0.0)
    n_rows, dfs = store.term_frequencies(terms)
    weights: dict[str, float] = {}
    ideal = missing = 0.0
    for token, group in zip(tokens, groups, strict=False):
        if not synonym_group and known_word(token) and not any(dfs.get(term, 0) for term in group):
            missing += idf(n_rows, 0)
    for group in groups:
        known = {term: w for term, w in group.items() if dfs.get(term, 0) > 0}
        whole = next(iter(group))
        if whole not in known and known:
            known = {term: 1.0 for term in known}  # the catalogue says it only in parts
        for term, w in group.items():
            weights[term] = max(weights.get(term, 0.0), known.get(term, w))
        if known:
            ideal += max(w * idf(n_rows, dfs[term]) for term, w in known.items())
    return LexicalQuery(weights, ideal, ideal + missing)

