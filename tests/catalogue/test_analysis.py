"""The Dutch analyzer: collisions that cost users the right practices, compounds, versions."""

from __future__ import annotations

import pytest

from catalogue import analysis
from catalogue.analysis import Analyzer, AnalyzerConfig
from catalogue.text import analyze, stem_words


@pytest.mark.parametrize(("one", "other"), [
    ("ouderen", "ouders"),        # older people are not parents
    ("oudere", "ouder"),
    ("geweld", "wel"),            # violence is not 'well'
    ("begeleiden", "beleid"),     # guidance is not policy
    ("begeleiding", "beleid"),
])
def test_words_that_mean_different_things_do_not_share_a_stem(one: str, other: str) -> None:
    assert stem_words([one]) != stem_words([other])


@pytest.mark.parametrize("forms", [
    ["dakloos", "dakloze", "daklozen", "dakloosheid"],
    ["ouderen", "oudere"],
    ["ouders", "ouder"],
    ["kinderen", "kind"],
    ["begeleiden", "begeleiding", "begeleid"],
])
def test_forms_of_one_word_share_a_stem(forms: list[str]) -> None:
    assert len(set(stem_words(forms))) == 1


def test_the_plain_snowball_stemmer_had_these_collisions() -> None:
    """The exceptions are needed: without them the stemmers merge these words."""
    plain = Analyzer(AnalyzerConfig(stemmer="dutch", exceptions=False, compounds=False))
    assert plain.stem("ouderen") == plain.stem("ouders")
    assert plain.stem("geweld") == plain.stem("wel")
    assert plain.stem("begeleiden") == plain.stem("beleid")


@pytest.mark.parametrize(("word", "parts"), [
    ("schuldhulpverlening", {"schuld"}),
    ("buurtopbouwwerk", {"buurt", "opbouwwerk"}),
    ("kinderarmoede", {"armoede"}),
    ("energiearmoede", {"energie", "armoede"}),
    ("mantelzorgers", {"mantelzorg"}),
])
def test_compounds_also_index_their_parts(word: str, parts: set[str]) -> None:
    terms = set(analyze(word))
    assert set(stem_words(sorted(parts))) <= terms
    assert stem_words([word])[0] in terms  # the whole word stays


def test_a_query_compound_meets_the_text_compound_through_its_parts() -> None:
    query = analysis.current().token_forms("schuldhulp", part_weight=0.5)
    text = set(analyze("schuldhulpverlening"))
    assert stem_words(["schuld"])[0] in {term for term, weight in query.items() if weight < 1} & text


@pytest.mark.parametrize("word", ["eenzaamheid", "gemeenschap", "organisatie", "hulpverlening"])
def test_common_words_and_suffixes_are_not_split(word: str) -> None:
    assert analysis.current().parts(word) == ()


def test_known_words_and_nonsense() -> None:
    assert analysis.known_word("mantelzorg") and analysis.known_word("démence")
    assert analysis.known_word("caregivers") and analysis.known_word("ouderen")
    assert not analysis.known_word("qwxz") and not analysis.known_word("blorp")


def test_the_version_names_the_configuration() -> None:
    assert AnalyzerConfig().version != AnalyzerConfig(compounds=False).version
    assert AnalyzerConfig().version != AnalyzerConfig(stemmer="dutch").version
