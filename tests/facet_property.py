"""The facet property, checked through the HTTP API: a facet count is the total its click gives.

For a query and a set of ticked filters, each value of each facet kind shows a count. Ticking
that value alone within its kind (the other kinds' selections stay) must give that total.
Values within a kind combine with OR, kinds with AND; a kind is counted without its own
selection (disjunctive facets), so every value shows what choosing it would give.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

KINDS = ("krachtlijn", "region", "sector")
Search = Callable[[dict[str, Any]], dict[str, Any]]


def random_filters(rng: random.Random, vocab: dict[str, list[str]]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for kind in KINDS:
        if rng.random() < 0.4:
            filters[kind] = rng.sample(vocab[kind], rng.choice([1, 1, 2]))
    return filters


def check(search: Search, query: str, filters: dict[str, list[str]], rng: random.Random,
          per_call: int) -> tuple[int, list[str]]:
    """(checks made, mismatches described) for one query and filter set."""
    body = search({"q": query, **filters})
    values = [(kind, value, count) for kind in KINDS for value, count in body["facets"][kind].items()]
    # the ticked values with no matches are not listed; their count is 0
    values += [(kind, value, 0) for kind in filters for value in filters[kind]
               if value not in body["facets"][kind]]
    mismatches = []
    picked = rng.sample(values, min(per_call, len(values)))
    for kind, value, count in picked:
        clicked = search({"q": query, **{**filters, kind: [value]}})
        if clicked["total"] != count:
            mismatches.append(f"q={query!r} filters={filters} {kind}={value}: count {count}, "
                              f"click gives {clicked['total']}")
    return len(picked), mismatches
