"""What every VectorIndex backend must answer, checked through the protocol only."""

from __future__ import annotations

import numpy as np
import pytest

from tests.contracts.conftest import IndexBuilder

DIM = 8


def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


VECTORS = {rid: _unit(rid) for rid in (3, 5, 8, 13, 21)}


@pytest.fixture
def index(build_index: IndexBuilder):
    return build_index(VECTORS, None)


def _exact(query: np.ndarray, rids) -> list[tuple[int, float]]:
    scored = [(r, float(VECTORS[r] @ query)) for r in rids]
    return sorted(scored, key=lambda pair: -pair[1])


def test_it_holds_what_was_put_in(index):
    assert len(index) == len(VECTORS)
    assert set(index.stamp.entries) == set(VECTORS)
    assert not index.has_passages
    np.testing.assert_allclose(index.vector(8), VECTORS[8], atol=1e-6)
    assert index.vector(4) is None


def test_search_is_exact_inner_product_best_first(index):
    query = _unit(100)
    expected = _exact(query, VECTORS)
    found = index.search(query, 3)
    assert [r for r, _ in found] == [r for r, _ in expected[:3]]
    np.testing.assert_allclose([s for _, s in found], [s for _, s in expected[:3]], atol=1e-5)
    ranking = index.rank(query, 10)
    assert ranking.ids.tolist() == [r for r, _ in expected]


def test_search_keeps_to_the_candidate_rids(index):
    query = _unit(101)
    found = index.search(query, 10, rids=[5, 21, 999])
    assert [r for r, _ in found] == [r for r, _ in _exact(query, [5, 21])]
    assert index.search(query, 10, rids=[]) == []


def test_sentences_score_a_practice_by_its_best_sentence(build_index: IndexBuilder):
    sentences = {rid: np.stack([_unit(rid * 10 + n) for n in range(3)]) for rid in VECTORS}
    index = build_index(VECTORS, sentences)
    assert index.has_passages
    query = _unit(102)
    best = index.passage_scores(query, [5, 13])
    expected = [float((sentences[r] @ query).max()) for r in (5, 13)]
    np.testing.assert_allclose(best, expected, atol=2e-3)  # sentence vectors may be half precision


def test_sentence_vectors_read_back_in_sentence_order(build_index: IndexBuilder):
    sentences = {rid: np.stack([_unit(rid * 10 + n) for n in range(1 + rid % 3)]) for rid in VECTORS}
    index = build_index(VECTORS, sentences)
    for rid, matrix in sentences.items():
        found = index.passage_vectors(rid)
        assert found is not None and found.dtype == np.float32 and found.shape == matrix.shape
        # what the index keeps: the half-precision values, widened again
        np.testing.assert_array_equal(found, matrix.astype(np.float16).astype(np.float32))
    assert index.passage_vectors(4) is None


def test_an_index_without_sentences_has_none_to_read(index):
    assert index.passage_vectors(8) is None
