from __future__ import annotations

from collections import Counter

from catalogue.gazetteer import load_gazetteer


def test_all_current_municipalities_present():
    counts = Counter(p.region for p in load_gazetteer().municipalities())
    assert counts["brussel"] == 19
    assert sum(n for region, n in counts.items() if region != "brussel") == 285


def test_lookups_fold_case_diacritics_and_hyphens():
    g = load_gazetteer()
    assert g.lookup("GENT").region == "oost-vlaanderen"
    assert g.lookup("sint jans molenbeek").municipality == "Sint-Jans-Molenbeek"
    assert g.lookup("Gand").municipality == "Gent"
    assert g.lookup("Melle").municipality == "Merelbeke-Melle"
    assert g.lookup("Kessel-Lo").municipality == "Leuven"
    assert g.lookup("Atlantis") is None


def test_find_in_text_in_order_without_repeats():
    places = load_gazetteer().find_in_text("Het project startte in Hasselt, breidde uit naar Kortrijk en Hasselt.")
    assert [p.municipality for p in places] == ["Hasselt", "Kortrijk"]
