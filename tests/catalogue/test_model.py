from __future__ import annotations

import pytest

from catalogue.errors import InvalidRecord
from catalogue.model import parse_practice


def _base(**over):
    data = {"title": "Taalcafé", "summary": "Nieuwkomers oefenen Nederlands met vrijwilligers.",
            "organisation": "Bib", "region": "Oost-Vlaanderen", "sectors": ["welzijn"],
            "krachtlijnen": ["verbindend"]}
    data.update(over)
    return data


@pytest.mark.parametrize("value", ["laagdrempelig", "Laagdrempelig en nabij", "LAAGDREMPELIG-EN-NABIJ-WERKEN",
                                   "laagdrempelig en nabij werken", "nabij"])
def test_krachtlijn_aliases_resolve(value):
    assert parse_practice(_base(krachtlijnen=[value])).krachtlijnen == ["laagdrempelig"]


def test_krachtlijn_diacritics_and_case_fold():
    p = parse_practice(_base(krachtlijnen=["Verbïndend", "POLITISEREND", "generalistisch werken", "Procesmatig"]))
    assert p.krachtlijnen == ["verbindend", "politiserend", "generalistisch", "procesmatig"]


def test_unknown_krachtlijn_is_reported_in_dutch():
    with pytest.raises(InvalidRecord) as e:
        parse_practice(_base(krachtlijnen=["creatief"]))
    issue = e.value.issues[0]
    assert issue.field == "krachtlijnen"
    assert "onbekende waarde 'creatief'" in issue.message


def test_sector_alias_and_single_sector_key():
    p = parse_practice(_base(sectors=None, sector="Huisvesting"))
    assert p.sectors == ["wonen"]


def test_region_filled_from_municipality():
    p = parse_practice(_base(region=None, municipality="gent"))
    assert (p.region, p.municipality) == ("oost-vlaanderen", "Gent")


def test_region_from_deelgemeente_and_french_name():
    assert parse_practice(_base(region=None, municipality="Borgerhout")).region == "antwerpen"
    p = parse_practice(_base(region=None, municipality="Louvain"))
    assert (p.region, p.municipality) == ("vlaams-brabant", "Leuven")


def test_region_contradicting_municipality_is_reported():
    with pytest.raises(InvalidRecord) as e:
        parse_practice(_base(region="Limburg", municipality="Gent"))
    assert e.value.issues[0].field == "region"
    assert "past niet bij gemeente 'Gent'" in e.value.issues[0].message


def test_flanders_wide_region_accepts_any_municipality():
    assert parse_practice(_base(region="vlaanderen", municipality="Gent")).region == "vlaanderen"


def test_missing_region_and_unknown_place():
    with pytest.raises(InvalidRecord) as e:
        parse_practice(_base(region=None, municipality="Nergenshuizen"))
    assert e.value.issues[0].field == "region"


def test_id_made_from_title_and_kept_when_given():
    assert parse_practice(_base(title="Babbelonië 2.0")).id == "babbelonie-2-0"
    assert parse_practice(_base(id="mijn-id")).id == "mijn-id"


def test_invalid_id_rejected():
    with pytest.raises(InvalidRecord) as e:
        parse_practice(_base(id="Niet Goed!"))
    assert e.value.issues[0].field == "id"


def test_missing_fields_named_in_dutch():
    with pytest.raises(InvalidRecord) as e:
        parse_practice({"title": "X y"})
    fields = {i.field: i.message for i in e.value.issues}
    assert fields["summary"] == "verplicht veld ontbreekt"
    assert "organisation" in fields and "krachtlijnen" in fields


def test_empty_krachtlijnen_rejected():
    with pytest.raises(InvalidRecord) as e:
        parse_practice(_base(krachtlijnen=[]))
    assert e.value.issues[0].field == "krachtlijnen"


def test_urls_must_be_http():
    with pytest.raises(InvalidRecord) as e:
        parse_practice(_base(source_url="javascript:alert(1)"))
    assert e.value.issues[0].field == "source_url"
    assert parse_practice(_base(source_url="https://x.be/a")).source_url == "https://x.be/a"


def test_extra_keys_are_kept_not_fatal():
    p = parse_practice(_base(budget="klein", jaar=2020))
    assert p.extra == {"budget": "klein", "jaar": 2020}


def test_list_fields_from_semicolon_string():
    p = parse_practice(_base(krachtlijnen="verbindend; politiserend", themes="Taal, Diversiteit"))
    assert p.krachtlijnen == ["verbindend", "politiserend"]
    assert p.themes == ["taal", "diversiteit"]


def test_content_hash_ignores_managed_dates_only():
    a = parse_practice(_base(created="2020-01-01"))
    b = parse_practice(_base(created="2021-01-01"))
    c = parse_practice(_base(last_reviewed="2021-01-01"))
    assert a.content_hash() == b.content_hash() != c.content_hash()
