"""Query planning: typo correction towards the catalogue's words, and what counts as language."""

from __future__ import annotations

from search.query import QueryPlanner, Speller

COUNTS = {"mantelzorg": 12, "eenzaamheid": 30, "ouderen": 40, "dorp": 3, "schuldhulp": 5, "buurt": 50}


def plan(query: str):
    return QueryPlanner.plan(query, Speller(COUNTS))


def test_a_typo_within_two_edits_of_a_catalogue_word_is_corrected():
    p = plan("mantelzrog")
    assert p.corrected == "mantelzorg" and p.effective == "mantelzorg" and p.known


def test_the_correction_keeps_the_rest_of_the_query():
    assert plan("Eenzaamhied bij ouderen").corrected == "eenzaamheid bij ouderen"


def test_known_words_are_not_corrected():
    assert plan("ouderen").corrected is None and plan("ouderen").known
    assert plan("dementie").corrected is None and plan("dementie").known  # Dutch, not in COUNTS


def test_nonsense_is_not_language_and_is_not_corrected_into_it():
    for query in ("qwxz blorp", "xqzt vlmp", "asdf qwer"):
        p = plan(query)
        assert not p.known and p.corrected is None, query


def test_short_words_allow_one_edit_only():
    assert plan("blorp").corrected is None  # two edits from 'dorp'


def test_the_planner_rebuilds_its_speller_when_the_catalogue_changes():
    planner = QueryPlanner()
    first = planner.speller(1, COUNTS)
    assert planner.speller(1, COUNTS) is first
    assert planner.speller(2, {**COUNTS, "moestuin": 2}) is not first


def test_french_words_are_known_with_their_accents():
    p = plan("démence")
    assert p.known and p.corrected is None
