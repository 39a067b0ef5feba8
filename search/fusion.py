"""Rank fusion, pure functions over plain lists: no I/O, no state."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def rrf(
    rankings: Sequence[Sequence[K]],
    *,
    k: float = 60.0,
    weights: Sequence[float] | None = None,
) -> list[tuple[K, float]]:
    """Reciprocal rank fusion: score(d) = sum_i w_i / (k + rank_i(d)), rank starting at 1.

    Ties keep the order of first appearance across the rankings, so results are deterministic.
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[K, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    order = {key: i for i, key in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


def minmax(scores: Sequence[float]) -> list[float]:
    """Scale scores to [0, 1]; a constant list maps to all ones."""
    if not scores:
        return []
    lo, hi = min(scores), max(scores)
    if hi == lo:
        return [1.0] * len(scores)
    return [(s - lo) / (hi - lo) for s in scores]


def convex(
    scored: Sequence[Sequence[tuple[K, float]]],
    *,
    weights: Sequence[float],
) -> list[tuple[K, float]]:
    """Weighted sum of min-max normalised scores; a missing score counts as 0."""
    if len(weights) != len(scored):
        raise ValueError("one weight per ranking")
    totals: dict[K, float] = {}
    for ranking, weight in zip(scored, weights):
        keys = [key for key, _ in ranking]
        for key, norm in zip(keys, minmax([s for _, s in ranking])):
            totals[key] = totals.get(key, 0.0) + weight * norm
    order = {key: i for i, key in enumerate(totals)}
    return sorted(totals.items(), key=lambda item: (-item[1], order[item[0]]))
