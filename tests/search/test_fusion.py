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
