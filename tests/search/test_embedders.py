"""Embedder backends: the ensemble maths, sentence splitting, and the real bundled models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from catalogue.errors import EmbedderUnavailable
from catalogue.model import parse_practice
from catalogue.store_sqlite import SqliteStore
from catalogue.text import split_sentences
from ingest.pipeline import store_practices
from search.embedders import make_embedder
from search.embedders.ensemble import WeightedEnsemble
from search.fusion import Ranking, anchored_convex
from tests.conftest import SAMPLE, make_core


class FixedEmbedder:
    """Returns preset unit vectors, documents and queries alike."""

    def __init__(self, name: str, vectors: dict[str, np.ndarray]) -> None:
        self.name, self.vectors = name, vectors
        self.dim = len(next(iter(vectors.values())))
        self.min_score = 0.0

    def encode_documents(self, texts: Sequence[str], *, progress: Any = None) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_documents(texts)


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_ensemble_inner_product_is_the_weighted_sum_of_cosines():
    a = FixedEmbedder("a", {"q": _unit(1, 0, 0), "d": _unit(1, 1, 0)})
    b = FixedEmbedder("b", {"q": _unit(0, 1), "d": _unit(1, 1)})
    ens = WeightedEnsemble([(a, 7), (b, 3)], name="ab", min_score=0.5)
    q, d = ens.encode_queries(["q"])[0], ens.encode_documents(["d"])[0]
    expected = 0.7 * float(_unit(1, 0, 0) @ _unit(1, 1, 0)) + 0.3 * float(_unit(0, 1) @ _unit(1, 1))
    assert ens.dim == 5
    assert np.linalg.norm(q) == pytest.approx(1.0) and np.linalg.norm(d) == pytest.approx(1.0)
    assert float(q @ d) == pytest.approx(expected, abs=1e-6)


def test_ensemble_rejects_nonpositive_weights():
    a = FixedEmbedder("a", {"q": _unit(1, 0)})
    with pytest.raises(ValueError):
        WeightedEnsemble([(a, 0.0)], name="a", min_score=0.5)


def test_split_sentences():
    text = "Eerste zin. Tweede zin! Derde?\nVierde regel zonder punt\n\n  "
    assert split_sentences(text) == ["Eerste zin.", "Tweede zin!", "Derde?", "Vierde regel zonder punt"]
    assert split_sentences("   ") == [" "]


def test_the_window_drops_the_tail_beyond_it():
    hits = Ranking.of([(1, 0.80), (2, 0.75), (3, 0.69), (4, 0.40)])
    scored = dict(anchored_convex(hits, Ranking.empty(), weights=(1.0, 0.0), window=0.1).pairs())
    assert scored[1] == pytest.approx(1.0) and scored[2] == pytest.approx(0.5)
    assert scored[3] == 0.0 and scored[4] == 0.0  # beyond the window: no dense evidence
    wide = dict(anchored_convex(hits, Ranking.empty(), weights=(1.0, 0.0), window=1.0).pairs())
    assert all(score > 0 for score in wide.values())
    assert anchored_convex(Ranking.empty(), Ranking.empty(), weights=(1.0, 0.0), window=1.0).pairs() == []


def test_unknown_embedder_is_a_clear_error():
    with pytest.raises(EmbedderUnavailable, match="onbekende embedder"):
        make_embedder("word2vec-ouderwets")


# -- real bundled models ----------------------------------------------------------------


@pytest.fixture(scope="module")
def real_service(tmp_path_factory, real_embedder):
    home = tmp_path_factory.mktemp("real")
    store = SqliteStore(home / "db.sqlite")
    core = make_core(store, index_path=home / "index.faiss", embedder=real_embedder)
    store_practices(store, [parse_practice(d) for d in SAMPLE], indexer=core.indexing)
    yield core.search
    store.close()


@pytest.mark.realmodel
def test_default_model_finds_a_paraphrase_without_shared_words(real_service):
    hits = real_service.search("anderstaligen leren de taal spreken", mode="semantic").hits
    assert hits and hits[0].practice.id == "taalcafe-gent"


@pytest.mark.realmodel
@pytest.mark.parametrize("query", ["xqzt vlmp", "asdf qwer zxcv", "bitcoin koers"])
def test_default_model_returns_nothing_for_nonsense(real_service, query):
    assert real_service.search(query).total == 0


@pytest.mark.realmodel
def test_sentence_transformers_backend_runs_the_bundled_minilm():
    emb = make_embedder("minilm")
    docs = emb.encode_documents(["A free hot meal for neighbours on a small budget.",
                                 "Homework help for teenagers after school."])
    query = emb.encode_queries(["cheap dinner in the neighbourhood"])[0]
    assert docs.shape == (2, emb.dim) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    assert int(np.argmax(docs @ query)) == 0
