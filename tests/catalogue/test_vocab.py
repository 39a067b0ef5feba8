from __future__ import annotations

from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS


def test_five_krachtlijnen_with_dutch_descriptions():
    assert KRACHTLIJNEN.keys == ["verbindend", "laagdrempelig", "politiserend", "generalistisch", "procesmatig"]
    assert all(t.description for t in KRACHTLIJNEN.terms)


def test_regions_include_the_six_and_flanders_wide():
    assert set(REGIONS.keys) == {"antwerpen", "brussel", "limburg", "oost-vlaanderen", "vlaams-brabant",
                                 "west-vlaanderen", "vlaanderen"}
    assert REGIONS.resolve("Bruxelles") == "brussel"


def test_sector_aliases_are_unambiguous():
    seen = {}
    for term in SECTORS.terms:
        for alias in (term.key, term.label, *term.aliases):
            key = SECTORS.resolve(alias)
            assert key == term.key, f"{alias} resolves to {key}, not {term.key}"
            seen[alias] = key
