from __future__ import annotations

import itertools

import pytest

from api.core import Praktijkbank
from catalogue.errors import InvalidInput, PracticeNotFound
from catalogue.model import parse_practice
from catalogue.store import make_filters
from catalogue.store_sqlite import SqliteStore
from tests.conftest import STORE_BACKENDS, make_core


@pytest.fixture(params=STORE_BACKENDS)
def core(request, tmp_path, fake_embedder):
    """The search service's tests run on both backends: SQLite + FAISS and PostgreSQL + pgvector
    (a database of the test's own, tests/postgres_fixture.py)."""
    if request.param == "sqlite":
        built = make_core(SqliteStore(tmp_path / "praktijkbank.db"), index_path=tmp_path / "index.faiss",
                          embedder=fake_embedder)
    else:
        built = Praktijkbank.over_postgres(request.getfixturevalue("postgres_url"), embedder=fake_embedder,
                                           cache_dir=tmp_path)
    yield built
    built.close()


@pytest.fixture
def store(core):
    return core.store


@pytest.fixture
def service(store, core, sample):
    store.upsert_many([parse_practice(d) for d in sample])
    core.indexing.sync()
    return core.search


FILTER_CASES = [
    {}, {"region": ["antwerpen"]}, {"krachtlijn": ["laagdrempelig"]},
    {"krachtlijn": ["verbindend", "politiserend"], "sector": ["welzijn", "jeugd"]},
    {"region": ["limburg", "brussel"], "krachtlijn": ["procesmatig"]}, {"sector": ["mobiliteit"]},
]


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "lexical"])
@pytest.mark.parametrize("filters", FILTER_CASES)
def test_every_result_satisfies_filters_and_count_is_min_limit_matches(service, store, filters, mode):
    f = make_filters(**filters)
    matching = {p.id for p in store.list_practices(f)}
    result = service.search("", filters=f, mode=mode, per_page=3)
    assert result.total == len(matching)
    assert len(result.hits) == min(3, len(matching))
    for query in ("jongeren huiswerk", "warme maaltijd buurt"):
        res = service.search(query, filters=f, mode=mode, per_page=50)
        assert {h.practice.id for h in res.hits} <= matching


def test_facets_match_brute_force_over_the_matched_set(service, store):
    result = service.search("buurtbewoners hulp jongeren", per_page=2)
    ids = [h.practice.id for h in service.search("buurtbewoners hulp jongeren", per_page=100).hits]
    practices = [store.get(i) for i in ids]
    assert len(ids) == result.total
    expected = {"region": {}, "krachtlijn": {}, "sector": {}}
    for p in practices:
        for kind, values in (("region", [p.region]), ("krachtlijn", p.krachtlijnen), ("sector", p.sectors)):
            for v in values:
                expected[kind][v] = expected[kind].get(v, 0) + 1
    assert result.facets == expected


@pytest.mark.parametrize("query", ['"', '*', 'NEAR(taal', 'title:taal', '((( taal', 'AND OR NOT',
                                   "taal' OR 1=1 --", "\x00taal", "🙂 نص عربي", "a" * 5000])
def test_hostile_query_text_never_raises(service, query):
    for mode in ("hybrid", "lexical", "semantic"):
        service.search(query, mode=mode)


def test_relevance_cutoff_returns_nothing_for_nonsense(service):
    assert service.search("xqzt vlmp").total == 0


def test_pagination_is_consistent(service):
    all_ids = [h.practice.id for h in service.search("", per_page=100).hits]
    paged = list(itertools.chain.from_iterable(
        [h.practice.id for h in service.search("", page=p, per_page=4).hits] for p in (1, 2)))
    assert paged == all_ids
    assert service.search("", page=99).hits == []


def test_snippet_highlights_matched_words(service):
    hit = service.search("maaltijd", mode="lexical").hits[0]
    assert hit.practice.id == "buurtrestaurant-antwerpen"
    marked = [hit.snippet.text[s:e] for s, e in hit.snippet.highlights]
    assert marked == ["maaltijd"]


def test_snippet_is_the_sentence_with_most_matches():
    from catalogue.text import analyze
    from search.snippets import make_snippet

    text = ("Het huis is open op dinsdag. Er is koffie voor iedereen! "
            "Vrijwilligers oefenen Nederlands met nieuwkomers, en nieuwkomers oefenen graag. Tot slot een feest.")
    snippet = make_snippet(text, set(analyze("nieuwkomers oefenen")))
    assert snippet.text.startswith("…Vrijwilligers oefenen")
    assert [snippet.text[s:e] for s, e in snippet.highlights] == ["oefenen", "nieuwkomers", "nieuwkomers", "oefenen"]
    # ties and no matches keep the first sentence
    assert make_snippet(text, set()).text.startswith("Het huis is open")
    assert make_snippet(text, set(analyze("huis koffie"))).text.startswith("Het huis")


def test_similar_excludes_itself_and_honours_filters(service, store):
    hits = service.similar("taalcafe-gent", limit=10)
    assert "taalcafe-gent" not in {h.practice.id for h in hits} and len(hits) == 5
    hits = service.similar("taalcafe-gent", filters=make_filters(region=["brussel"]))
    assert [h.practice.region for h in hits] == ["brussel"]
    with pytest.raises(PracticeNotFound):
        service.similar("bestaat-niet")


def test_bad_parameters_raise_invalid_input(service):
    with pytest.raises(InvalidInput, match="mode"):
        service.search("x", mode="magic")
    with pytest.raises(InvalidInput, match="page"):
        service.search("x", page=0)
    with pytest.raises(InvalidInput, match="krachtlijn"):
        make_filters(krachtlijn=["nope"])


def test_drafts_never_found(service, store, core):
    store.upsert_many([parse_practice({**store.get("taalcafe-gent").model_dump(), "status": "draft"})])
    core.indexing.sync()
    assert "taalcafe-gent" not in {h.practice.id for h in service.search("Nederlands oefenen").hits}
    assert "taalcafe-gent" not in {h.practice.id for h in service.search("").hits}


def test_total_counts_only_what_is_about_the_query(service, store):
    everything = store.count(make_filters())
    result = service.search("huiswerk", per_page=50)
    assert result.match == "relevant" and 0 < result.total < everything
    assert result.total == len(result.hits)


def test_a_known_word_no_practice_holds_gives_the_nearest_labelled(service):
    result = service.search("vulkaan", per_page=10)
    assert result.match == "nearest" and result.total == 0 and 1 <= len(result.hits) <= 5
    assert all(not counts for counts in result.facets.values())


def test_nonsense_gives_nothing(service):
    result = service.search("qwxz blorp")
    assert result.match == "none" and result.total == 0 and result.hits == []


def test_a_filter_selects_among_the_matches_and_never_pads(service, store):
    unfiltered = {h.practice.id for h in service.search("huiswerk", per_page=50).hits}
    for region in ("antwerpen", "limburg", "brussel"):
        filtered = service.search("huiswerk", filters=make_filters(region=[region]), per_page=50)
        if filtered.match == "relevant":
            assert {h.practice.id for h in filtered.hits} <= unfiltered


# -- off-topic short queries: the keyword match must hold enough of the query -------------------

CAR_SHARING = {
    "id": "autodelen-wijk", "title": "Autodelen in de wijk",
    "summary": "Buren delen een auto, zodat wie morgen naar een sollicitatie "
               "moet er ook geraakt. De koers van het project bepalen de bewoners zelf.",
    "organisation": "Buurtwerk Zuid", "municipality": "Gent", "sectors": ["mobiliteit"],
    "krachtlijnen": ["verbindend"], "themes": ["mobiliteit"],
}
OFF_TOPIC = ["weerbericht morgen", "bitcoin koers", "prijs van een tweedehands auto"]


@pytest.fixture
def strict(store, core, sample):
    """The service with a dense gate no query passes: only the keyword rule decides."""
    from search.service import SearchService, Tuning

    store.upsert_many([parse_practice(d) for d in [*sample, CAR_SHARING]])
    core.indexing.sync()
    return lambda **kw: SearchService(store, core.index, core.embedder, Tuning(min_score=1.01, **kw))


@pytest.mark.parametrize("query", OFF_TOPIC)
def test_off_topic_query_sharing_one_word_gets_the_nearest_not_results(strict, query):
    result = strict().search(query)
    assert result.match == "nearest" and result.total == 0
    # without the rule the shared word alone made the practice a result
    assert strict(min_coverage=0.0).search(query).match == "relevant"


@pytest.mark.parametrize(("query", "expected"), [
    ("huiswerk", "jeugdhuis-brussel"), ("maaltijd", "buurtrestaurant-antwerpen"),
    ("onderbescherming", "rechtenverkenners-limburg"), ("auto", "autodelen-wijk"),
    ("homeless", "woonbegeleiding-leuven"),  # through the glossary's Dutch words
])
def test_real_one_word_terms_still_match(strict, query, expected):
    result = strict().search(query)
    assert result.match == "relevant" and result.total >= 1
    assert result.hits[0].practice.id == expected


def test_dense_agreement_lets_a_partial_keyword_match_count(store, core, sample):
    from search.service import SearchService, Tuning

    store.upsert_many([parse_practice(d) for d in [*sample, CAR_SHARING]])
    core.indexing.sync()
    result = SearchService(store, core.index, core.embedder, Tuning(min_score=-1.0)).search("bitcoin koers")
    assert result.match == "relevant" and result.hits[0].practice.id == "autodelen-wijk"


def test_long_queries_are_not_subject_to_the_coverage_rule(strict):
    result = strict().search("buren delen een auto voor een sollicitatie bij bitcoin")
    assert result.match == "relevant"


def test_whole_counts_language_words_the_catalogue_lacks_but_not_nonsense(store, sample):
    from catalogue import analysis
    from search.lexical import lexical_query

    store.upsert_many([parse_practice(d) for d in [*sample, CAR_SHARING]])

    def query(text, synonyms=""):
        return lexical_query(store, analysis.current(), text, synonyms, part_weight=0.5)

    held = query("koers")
    assert held.ideal > 0 and held.whole == pytest.approx(held.ideal)
    lacking = query("bitcoin koers")
    assert lacking.ideal == pytest.approx(held.ideal) and lacking.whole > 1.5 * lacking.ideal
    assert query("qwxz koers").whole == pytest.approx(held.ideal)  # not a word: not missing
    translated = query("homeless", "daklozen dakloze")  # the glossary stands in for it
    assert translated.ideal > 0 and translated.whole == pytest.approx(translated.ideal)


@pytest.mark.parametrize("filters", FILTER_CASES)
@pytest.mark.parametrize("query", ["", "buurtbewoners hulp jongeren", "xqzt vlmp"])
def test_facets_asked_for_are_the_full_counts_of_those_kinds_only(service, filters, query):
    f = make_filters(**filters)
    full = service.search(query, filters=f, per_page=3)
    for kinds in [(), ("region",), ("sector", "krachtlijn"), ("krachtlijn", "region", "sector")]:
        part = service.search(query, filters=f, per_page=3, facets=kinds)
        assert part.facets == {kind: full.facets[kind] for kind in ("krachtlijn", "region", "sector")
                               if kind in kinds}
        # Facets change nothing else: the same page, total and state.
        assert [h.practice.id for h in part.hits] == [h.practice.id for h in full.hits]
        assert (part.total, part.match) == (full.total, full.match)
    assert service.search(query, filters=f, facets=None).facets == full.facets
    assert set(full.facets) == {"krachtlijn", "region", "sector"}


def test_unknown_facet_kind_is_an_error_naming_facets(service):
    with pytest.raises(InvalidInput) as e:
        service.search("taal", facets=["region", "theme"])
    assert e.value.parameter == "facets"
    assert service.search("taal", facets="region").facets.keys() == {"region"}
