"""The relevance benchmark's measures and its paired comparison of alternatives."""

from __future__ import annotations

import pytest

from benchmarks.relevance import Row, ndcg, paired_difference, summarise_paired


def row(qid: str, score: float) -> Row:
    return Row(qid, "nl", "term", score, 1.0, False, 3, 2, 0.5, "relevant")


def test_ndcg_counts_grades_by_position() -> None:
    grades = {"a": 2, "b": 1}
    assert ndcg(["a", "b"], grades) == pytest.approx(1.0)
    assert ndcg(["b", "a"], grades) < 1.0
    assert ndcg(["x", "y"], grades) == 0.0


def test_the_same_rankings_differ_by_nothing() -> None:
    base = [row(f"q{i}", i / 10) for i in range(10)]
    assert paired_difference(base, base) == (0.0, 0.0, 0.0)


def test_a_gain_on_every_query_has_an_interval_above_zero() -> None:
    base = [row(f"q{i}", i / 20) for i in range(20)]
    better = [row(f"q{i}", i / 20 + 0.05 + (i % 3) / 100) for i in range(20)]
    mean, lo, hi = paired_difference(better, base)
    assert 0 < lo <= mean <= hi
    assert mean == pytest.approx(0.05 + sum(i % 3 for i in range(20)) / 2000)


def test_gains_and_losses_that_cancel_out_are_noise() -> None:
    base = [row(f"q{i}", 0.5) for i in range(30)]
    mixed = [row(f"q{i}", 0.5 + (0.2 if i % 2 else -0.2)) for i in range(30)]
    mean, lo, hi = paired_difference(mixed, base)
    assert lo < 0 < hi
    assert mean == pytest.approx(0.0, abs=1e-9)


def test_queries_are_paired_by_id_not_by_position() -> None:
    base = [row("a", 0.2), row("b", 0.8)]
    assert paired_difference([row("b", 0.8), row("a", 0.2)], base) == (0.0, 0.0, 0.0)


def test_the_interval_is_seeded() -> None:
    base = [row(f"q{i}", 0.5) for i in range(15)]
    alt = [row(f"q{i}", (i * 7 % 11) / 10) for i in range(15)]
    assert paired_difference(alt, base) == paired_difference(alt, base)


def test_the_paired_cell_follows_ndcg_in_the_table_row() -> None:
    base = [row("a", 0.5), row("b", 0.5)]
    cells = summarise_paired([row("a", 0.6), row("b", 0.6)], base).split(" | ")
    assert cells[0] == "| 0.600"
    assert cells[1] == "+0.100 [+0.100, +0.100]"
    assert cells[-1] == "2 |"
