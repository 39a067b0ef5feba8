from __future__ import annotations

import pytest

from search.fusion import convex, minmax, rrf


def test_rrf_scores_are_sum_of_reciprocal_ranks():
    fused = dict(rrf([["a", "b", "c"], ["b", "a"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)


def test_rrf_orders_and_breaks_ties_by_first_appearance():
    assert [key for key, _ in rrf([["a", "b", "c"], ["b", "a"]])] == ["a", "b", "c"]


def test_rrf_weights_shift_the_order():
    assert rrf([["a", "b"], ["b", "a"]], weights=[2.0, 1.0])[0][0] == "a"
    assert rrf([["a", "b"], ["b", "a"]], weights=[1.0, 2.0])[0][0] == "b"


def test_rrf_rejects_mismatched_weights_and_handles_empty():
    with pytest.raises(ValueError):
        rrf([["a"]], weights=[1.0, 2.0])
    assert rrf([[], []]) == []


def test_minmax_and_convex():
    assert minmax([1.0, 3.0, 2.0]) == [0.0, 1.0, 0.5]
    assert minmax([5.0, 5.0]) == [1.0, 1.0]
    fused = convex([[("a", 0.9), ("b", 0.1)], [("b", 10.0), ("c", 5.0)]], weights=[1.0, 1.0])
    assert dict(fused) == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert [k for k, _ in fused] == ["a", "b", "c"]


def _convex_by_hand(scored, weights):
    """The definition, written out over dicts: min-max per ranking, weighted sum, ties by first appearance."""
    totals: dict[int, float] = {}
    for ranking, weight in zip(scored, weights, strict=False):
        values = [s for _, s in ranking]
        lo, hi = (min(values), max(values)) if values else (0.0, 0.0)
        for key, s in ranking:
            norm = 1.0 if hi == lo else (s - lo) / (hi - lo)
            totals[key] = totals.get(key, 0.0) + weight * norm
    first = {key: i for i, key in enumerate(totals)}
    return sorted(totals.items(), key=lambda kv: (-kv[1], first[kv[0]]))


def test_array_fusion_equals_the_definition_on_random_rankings():
    import random

    from search.fusion import Ranking, convex_arrays

    rng = random.Random(3)
    for _ in range(200):
        scored = []
        for _ in range(rng.randint(1, 3)):
            keys = rng.sample(range(40), rng.randint(0, 25))
            scores = sorted((round(rng.random(), 1) for _ in keys), reverse=True)  # ties on purpose
            scored.append(list(zip(keys, scores, strict=False)))
        weights = [rng.choice([0.3, 0.7, 1.0]) for _ in scored]
        want = _convex_by_hand(scored, weights)
        got = convex_arrays([Ranking.of(r) for r in scored], weights=weights).pairs()
        assert [k for k, _ in got] == [k for k, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want])
