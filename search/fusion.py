"""Rank fusion, pure functions: no I/O, no state.

The service ranks with `Ranking` (two NumPy arrays): a search fuses up to 2,000 scored ids, and
the same work over Python dicts and tuples cost 2-4 ms per query (benchmarks/speed.py). `rrf`
and `convex` take plain (key, score) lists.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import NamedTuple, TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)


class Ranking(NamedTuple):
    """Scored ids, best first: `ids` (int64) and `scores` (float64) of equal length."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> Ranking:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))

    @classmethod
    def of(cls, pairs: Iterable[tuple[int, float]]) -> Ranking:
        pairs = list(pairs)
        if not pairs:
            return cls.empty()
        ids, scores = zip(*pairs)
        return cls(np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.ids)

    def pairs(self) -> list[tuple[int, float]]:
        return list(zip(self.ids.tolist(), self.scores.tolist()))

    def head(self, n: int) -> Ranking:
        return Ranking(self.ids[:n], self.scores[:n])


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
    """Weighted sum of min-max normalised scores; a missing score counts as 0.

    Ties keep the order of first appearance across the rankings.
    """
    if len(weights) != len(scored):
        raise ValueError("one weight per ranking")
    keys = list(dict.fromkeys(key for ranking in scored for key, _ in ranking))
    code = {key: i for i, key in enumerate(keys)}
    fused = convex_arrays([Ranking(np.array([code[k] for k, _ in r], dtype=np.int64),
                                   np.array([s for _, s in r], dtype=np.float64)) for r in scored],
                          weights=weights)
    return [(keys[i], score) for i, score in fused.pairs()]


def convex_arrays(rankings: Sequence[Ranking], *, weights: Sequence[float]) -> Ranking:
    """`convex` over arrays: ties keep the order of first appearance across the rankings."""
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    parts = [(r, w) for r, w in zip(rankings, weights) if len(r)]
    if not parts:
        return Ranking.empty()
    ids = np.concatenate([r.ids for r, _ in parts])
    norms = np.concatenate([w * _minmax(r.scores) for r, w in parts])
    keys, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    totals = np.bincount(inverse, weights=norms, minlength=len(keys))
    order = np.lexsort((first, -totals))
    return Ranking(keys[order], totals[order])


def _minmax(scores: np.ndarray) -> np.ndarray:
    lo, hi = scores.min(), scores.max()
    if hi == lo:
        return np.ones(len(scores), dtype=np.float64)
    return (scores.astype(np.float64) - lo) / (hi - lo)
