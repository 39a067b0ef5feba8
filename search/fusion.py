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
        ids, scores = zip(*pairs, strict=False)
        return cls(np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.ids)

    def pairs(self) -> list[tuple[int, float]]:
        return list(zip(self.ids.tolist(), self.scores.tolist(), strict=False))

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
    for ranking, weight in zip(rankings, weights, strict=False):
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
    parts = [(r, w) for r, w in zip(rankings, weights, strict=False) if len(r)]
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


def anchored_convex(dense: Ranking, lexical: Ranking, *, weights: tuple[float, float],
                    window: float, floor_percentile: float | None = None,
                    lexical_scale: float | None = None) -> Ranking:
    """A convex mix whose scale is fixed by the query, not by the practices being ranked.

    Min-max scales each ranking by its own lowest and highest score, so a practice's fused
    score changes with the other candidates: a filter moves it, and no cut-off on it can mean
    "about the query". Here both sides are anchored to the whole catalogue's answer: a dense
    score counts from `window` below the best dense score (0) up to the best (1); a BM25 score
    as its share of the best. `dense` and `lexical` must hold the whole catalogue's best hit
    (each ranking best first). `lexical_scale`, when given, replaces the best BM25 score: the
    score that counts as fully about the query (see `search.lexical.LexicalQuery`). A side
    without hits drops out and the other carries the weight.
    Ties are broken by id, so the order is deterministic.
    """
    parts: list[tuple[np.ndarray, np.ndarray, float]] = []
    if len(dense):
        best = dense.scores[0]
        floor = best - window if floor_percentile is None else \
            min(float(np.percentile(dense.scores, floor_percentile)), best - 1e-6)
        norm = np.clip((dense.scores - floor) / (best - floor), 0.0, 1.0) if best > floor else np.ones(len(dense))
        parts.append((dense.ids, norm, weights[0]))
    if len(lexical):
        top = lexical.scores.max() if lexical_scale is None else lexical_scale
        norm = np.minimum(lexical.scores / top, 1.0) if top > 0 else np.ones(len(lexical))
        parts.append((lexical.ids, norm, weights[1]))
    parts = [p for p in parts if p[2] > 0]
    if not parts:
        return Ranking.empty()
    total_weight = sum(w for _, _, w in parts)
    ids = np.concatenate([i for i, _, _ in parts])
    norms = np.concatenate([n * (w / total_weight) for _, n, w in parts])
    keys, inverse = np.unique(ids, return_inverse=True)
    totals = np.bincount(inverse, weights=norms, minlength=len(keys))
    order = np.lexsort((keys, -totals))
    return Ranking(keys[order], totals[order])
