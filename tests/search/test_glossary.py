"""French and English phrases add Dutch words to the keyword side of a search."""

from __future__ import annotations

import pytest
import yaml

import search.glossary as glossary
from catalogue.text import analyze
from search.service import SearchService, Tuning


@pytest.fixture
def small_glossary(tmp_path, monkeypatch):
    path = tmp_path / "glossary.yaml"
    path.write_text(yaml.safe_dump({"fr": {"personnes âgées": "ouderen senioren", "sans-abri": "dakloze daklozen"},
                                    "en": {"homeless people": "daklozen", "elderly": "ouderen"}},
                                   allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(glossary, "GLOSSARY", path)
    glossary._by_first_word.cache_clear()
    yield
    glossary._by_first_word.cache_clear()


def test_phrases_match_as_whole_words_in_order(small_glossary):
    assert glossary.dutch_for("Isolement des PERSONNES AGEES") == "ouderen senioren"
    assert glossary.dutch_for("un toit pour les sans abri") == "dakloze daklozen"
    assert glossary.dutch_for("homeless people and the elderly") == "daklozen ouderen"
    assert glossary.dutch_for("people homeless") == ""  # not in the phrase's order
    assert glossary.dutch_for("elderlyhome") == ""  # not a whole word
    assert glossary.dutch_for("ouderen in de buurt") == ""  # Dutch queries are left alone


def test_the_keyword_side_finds_dutch_practices_for_a_french_query(small_glossary, store, core, sample):
    from catalogue.model import parse_practice

    store.upsert_many([parse_practice(d) for d in sample])
    core.indexing.sync()
    with_glossary = SearchService(store, core.index, core.embedder, Tuning())
    without = SearchService(store, core.index, core.embedder, Tuning(glossary=False))
    query = "un logement pour les sans-abri"
    expected = {h.practice.id for h in with_glossary.search("dakloze", mode="lexical").hits}
    assert expected, "the sample catalogue has a practice for daklozen"
    found = with_glossary.search(query, mode="lexical")
    assert expected <= {h.practice.id for h in found.hits}
    assert not expected & {h.practice.id for h in without.search(query, mode="lexical").hits}
    # the Dutch words are highlighted in the snippets too
    stems = set(analyze("dakloze daklozen"))
    assert any(any(stems & set(analyze(h.snippet.text[s:e])) for s, e in h.snippet.highlights) for h in found.hits)


def test_the_bundled_glossary_loads():
    glossary._by_first_word.cache_clear()
    table = glossary._by_first_word()
    assert sum(len(v) for v in table.values()) > 100
