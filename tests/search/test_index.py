from __future__ import annotations

import numpy as np
import pytest

from catalogue.errors import IndexMissing, IndexOutOfDate
from catalogue.model import parse_practice
from search.index_faiss import FaissIndex
from search.service import Tuning
from tests.conftest import FakeEmbedder, make_core


def _unit(rng, n, d):
    v = rng.normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_faiss_ids_survive_removal_and_subset_search_is_exact(tmp_path):
    rng = np.random.default_rng(0)
    index = FaissIndex(16, "t")
    vecs = _unit(rng, 50, 16)
    rids = list(range(100, 150))
    index.upsert(rids, vecs, [f"h{r}" for r in rids])
    index.remove([100, 101, 120])
    q = vecs[30]
    assert index.search(q, 1)[0][0] == 130
    subset = [105, 106, 130, 149]
    got = index.search(q, 10, rids=subset)
    brute = sorted(((r, float(vecs[r - 100] @ q)) for r in subset), key=lambda x: -x[1])
    assert [r for r, _ in got] == [r for r, _ in brute]
    assert np.allclose(index.vector(149), vecs[49])
    index.save(tmp_path / "i.faiss")
    loaded = FaissIndex.load(tmp_path / "i.faiss")
    assert len(loaded) == 47 and loaded.stamp.checksum == index.stamp.checksum


def test_selector_path_for_large_candidate_sets(monkeypatch):
    import search.index_faiss as mod

    monkeypatch.setattr(mod, "SUBSET_SCAN_LIMIT", 2)
    rng = np.random.default_rng(1)
    index = FaissIndex(8, "t")
    vecs = _unit(rng, 30, 8)
    index.upsert(list(range(30)), vecs, ["h"] * 30)
    subset = [3, 7, 11, 19, 23]
    got = index.search(vecs[0], 3, rids=subset)
    assert {r for r, _ in got} <= set(subset) and len(got) == 3


def test_incremental_updates_equal_full_rebuild(store, core, sample, tmp_path):
    practices = [parse_practice(d) for d in sample]
    store.upsert_many(practices[:3])
    core.indexing.sync()
    store.upsert_many(practices[3:])
    core.indexing.sync()
    store.upsert_many([practices[0].model_copy(update={"summary": "Nieuwe tekst over taal en ontmoeting."})])
    core.indexing.sync()
    core.operations.remove(practices[1].id)
    incremental = core.index.current()
    rebuilt = make_core(store, index_path=tmp_path / "rebuilt.faiss", embedder=FakeEmbedder())
    rebuilt.indexing.sync(rebuild=True)
    fresh = rebuilt.index.current()
    assert incremental.stamp.checksum == fresh.stamp.checksum
    for rid in fresh.stamp.entries:
        assert np.allclose(incremental.vector(rid), fresh.vector(rid), atol=1e-6)
    # the sentence vectors too: every practice scores the same best sentence for a query
    query = FakeEmbedder().encode_queries(["nederlands oefenen met vrijwilligers"])[0]
    rids = sorted(fresh.stamp.entries)
    assert incremental.has_passages and fresh.has_passages
    assert np.allclose(incremental.passage_scores(query, rids), fresh.passage_scores(query, rids), atol=1e-6)


def test_sentence_vectors_score_each_practice_by_its_best_sentence(tmp_path):
    rng = np.random.default_rng(2)
    index = FaissIndex(16, "t", passages="sentences")
    docs = _unit(rng, 4, 16)
    sentences = [_unit(rng, n, 16) for n in (1, 3, 5, 2)]
    index.upsert([10, 11, 12, 13], docs, ["a", "b", "c", "d"], sentences)
    query = _unit(rng, 1, 16)[0]
    brute = [float((m @ query).max()) for m in sentences]
    assert np.allclose(index.passage_scores(query, [10, 11, 12, 13]), brute, atol=2e-3)
    # order of the asked rids is kept; an unknown rid scores -inf
    got = index.passage_scores(query, [13, 99, 11])
    assert np.allclose(got[[0, 2]], [brute[3], brute[1]], atol=2e-3) and got[1] == -np.inf
    # replacing and removing a practice replaces and removes its sentences
    index.upsert([12], docs[2:3], ["c2"], [sentences[0]])
    index.remove([11])
    assert index.passages is not None and index.passages.ntotal == 1 + 1 + 2
    assert np.allclose(index.passage_scores(query, [12]), [brute[0]], atol=2e-3)
    index.save(tmp_path / "p.faiss")
    loaded = FaissIndex.load(tmp_path / "p.faiss")
    assert loaded.stamp.passages == "sentences"
    assert np.allclose(loaded.passage_scores(query, [10, 12, 13]), [brute[0], brute[0], brute[3]], atol=2e-3)
    with pytest.raises(ValueError, match="one matrix per practice"):
        index.upsert([14], docs[:1], ["e"])


def test_sentence_scores_match_the_decoded_sentence_vectors():
    # passage_scores works on the float16 codes; passage_vectors decodes them: the two agree
    rng = np.random.default_rng(5)
    index = FaissIndex(32, "t", passages="sentences")
    rids = list(range(100, 160))
    index.upsert(rids, _unit(rng, len(rids), 32), [str(r) for r in rids],
                 [_unit(rng, int(rng.integers(1, 9)), 32) for _ in rids])
    query = _unit(rng, 1, 32)[0]
    asked = [150, 101, 150, 7, 159, 100]  # repeated and unknown rids included
    decoded = [float((v @ query).max()) if (v := index.passage_vectors(r)) is not None else -np.inf
               for r in asked]
    got = index.passage_scores(query, asked)
    assert got[3] == -np.inf
    assert np.allclose(np.delete(got, 3), np.delete(decoded, 3), atol=1e-5)


def test_a_sentence_that_answers_the_query_lifts_its_practice(store, tmp_path):
    # One practice says it in one sentence among many others; its whole-text vector is diluted.
    long = parse_practice({
        "id": "lang", "title": "Buurthuis De Kring", "summary": "Een open huis in de wijk.",
        "description": "Er is koffie. Er zijn activiteiten voor kinderen. Een fietsatelier herstelt fietsen. "
                       "Vrijwilligers oefenen Nederlands met nieuwkomers. Er is een moestuin. "
                       "Het huis organiseert feesten en uitstappen met bewoners.",
        "organisation": "Vzw Kring", "municipality": "Gent", "sectors": ["welzijn"],
        "krachtlijnen": ["verbindend"]})
    other = parse_practice({
        "id": "kort", "title": "Fietsatelier", "summary": "Nieuwkomers herstellen fietsen met vrijwilligers.",
        "organisation": "Vzw Velo", "municipality": "Gent", "sectors": ["welzijn"],
        "krachtlijnen": ["verbindend"]})
    store.upsert_many([long, other])
    query = "nederlands oefenen met nieuwkomers"
    scores = {}
    for weight in (0.0, 0.5):
        core = make_core(store, index_path=tmp_path / f"i{weight}.faiss", embedder=FakeEmbedder(),
                              tuning=Tuning(passage_weight=weight))
        core.indexing.sync(rebuild=True)
        service = core.search
        vector = core.embedder.encode_queries([query])[0]
        ranking = service.dense_ranking(vector, None)
        scores[weight] = dict((store.get_many([r])[r].id, s) for r, s in ranking.pairs())
    assert core.index.current().has_passages
    assert scores[0.5]["lang"] - scores[0.5]["kort"] > scores[0.0]["lang"] - scores[0.0]["kort"]
    assert scores[0.5]["lang"] > scores[0.0]["lang"]


def test_rescoring_beyond_its_depth_keeps_the_list_sorted(store, core, sample):
    store.upsert_many([parse_practice(d) for d in sample])
    core.indexing.sync()
    service = core.search
    service.tuning = Tuning(rescore_depth=2, dense_window=2.0, min_score=-1.0)
    vector = core.embedder.encode_queries(["jongeren huiswerk sport"])[0]
    ranking = service.dense_ranking(vector, None)
    assert len(ranking) == len(sample)
    scores = ranking.scores.tolist()
    assert scores == sorted(scores, reverse=True)


def test_an_index_without_sentence_vectors_asks_for_a_reindex(store, sample, tmp_path):
    store.upsert_many([parse_practice(d) for d in sample])
    plain = make_core(store, index_path=tmp_path / "i.faiss", embedder=FakeEmbedder(),
                         tuning=Tuning(passage_weight=0.0))
    plain.indexing.sync()
    assert not plain.index.current().has_passages
    wanting = make_core(store, index_path=tmp_path / "i.faiss", embedder=FakeEmbedder())
    with pytest.raises(IndexOutOfDate, match="zinsvectoren.*praktijkbank reindex"):
        wanting.index.current()
    assert not wanting.indexing.check().ok
    wanting.indexing.repair()
    assert wanting.index.current().has_passages and wanting.indexing.check().ok


def test_stamp_mismatch_with_embedder_is_a_clear_error(store, core, sample, tmp_path):
    store.upsert_many([parse_practice(d) for d in sample])
    core.indexing.sync()

    class Other(FakeEmbedder):
        name = "other/model"

    other = make_core(store, index_path=core.index.path, embedder=Other())
    with pytest.raises(IndexOutOfDate, match="praktijkbank reindex"):
        other.index.current()


def test_catalogue_drift_is_detected_and_repaired(store, core, sample):
    store.upsert_many([parse_practice(d) for d in sample])
    core.indexing.sync()
    store.delete(sample[0]["id"])  # behind the core's back, like a crash before the index write
    report = core.indexing.check()
    assert not report.ok and report.drift.extra
    assert any("1 te veel" in problem for problem in report.problems)
    core.indexing.repair()
    assert core.indexing.check().ok


def test_missing_index_names_reindex(core):
    with pytest.raises(IndexMissing, match="praktijkbank reindex"):
        core.index.current()


def test_corrupt_index_file_is_a_clear_error(core):
    core.index.path.write_bytes(b"garbage")
    with pytest.raises(IndexOutOfDate, match="onleesbaar"):
        core.index.current()
