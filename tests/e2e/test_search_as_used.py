"""Search as social workers use it, on the bundled catalogue with the real model over HTTP:
short words, typos, nonsense, honest totals, facet counts that hold, and every theme found."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import yaml

from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS
from tests.conftest import ROOT
from tests.facet_property import check, random_filters

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]

THEMES = yaml.safe_load((ROOT / "catalogue" / "data" / "themes.yaml").read_text(encoding="utf-8"))


def search(server: str, **params) -> dict:
    response = httpx.get(f"{server}/api/search", params=params, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("word", ["schuldhulp", "mantelzorg", "dementie", "laaggeletterdheid",
                                  "asielzoekers", "straathoekwerk", "OCMW", "budgetbeheer"])
def test_one_word_professional_terms_find_practices(any_server, word):
    body = search(any_server, q=word)
    assert body["match"] == "relevant" and body["total"] >= 1 and body["results"]


def test_ouderen_is_not_ouders(any_server):
    body = search(any_server, q="ouderen")
    highlighted = {r["snippet"][a:b].lower() for r in body["results"] for a, b in r["highlights"]}
    assert highlighted and not any(word.startswith("ouders") for word in highlighted)


@pytest.mark.parametrize(("typo", "meant"), [("mantelzrog", "mantelzorg"), ("eenzaamhied", "eenzaamheid")])
def test_a_typo_is_corrected_and_finds_practices(any_server, typo, meant):
    body = search(any_server, q=typo)
    assert body["did_you_mean"] == meant and body["match"] == "relevant" and body["total"] >= 2


def test_nonsense_finds_nothing(any_server):
    body = search(any_server, q="qwxz blorp")
    assert body["match"] == "none" and body["total"] == 0 and body["results"] == []


def test_a_real_word_no_practice_is_about_shows_the_nearest_labelled(any_server):
    body = search(any_server, q="vulkaan")
    assert body["match"] == "nearest" and body["total"] == 0 and 1 <= len(body["results"]) <= 5


def test_a_region_widget_does_not_pad_with_the_whole_region(any_server):
    everything = search(any_server, region="limburg")["total"]
    narrow = search(any_server, q="dementie", region="limburg")["total"]
    assert everything > 10 and narrow < everything / 3


def test_totals_count_what_is_about_the_query(any_server):
    all_practices = search(any_server)["total"]
    assert search(any_server, q="dakloosheid en wonen")["total"] < all_practices / 3


@pytest.mark.parametrize("theme", THEMES, ids=[t["key"] for t in THEMES])
def test_a_search_for_each_theme_finds_two_of_its_practices(any_server, theme):
    {t.lower() for t in theme["tags"]}
    body = search(any_server, q=theme["label"], per_page=10)
    found = []
    for result in body["results"]:
        practice = httpx.get(f"{any_server}/api/practices/{result['id']}", timeout=30).json()
        if in_theme(theme, {t.lower() for t in practice["themes"] + practice["target_groups"]}):
            found.append(practice["id"])
    assert len(found) >= 2, (theme["label"], [r["id"] for r in body["results"]])


def in_theme(theme: dict, tags: set[str]) -> bool:
    if tags & {t.lower() for t in theme["tags"]}:
        return True
    groups = theme.get("all_of") or []
    return bool(groups) and all(tags & set(group) for group in groups)


def test_facet_counts_hold_on_the_bundled_catalogue(any_server):
    """At least 500 counts, each against the total of its click. The cases are drawn in rounds of
    eight from one seed, and the cases of a round are asked side by side."""
    vocab = {"krachtlijn": list(KRACHTLIJNEN.keys), "region": list(REGIONS.keys), "sector": list(SECTORS.keys)}
    queries = ["", "armoede", "jongeren", "hoe betrek ik ouders bij school?", "dakloosheid en wonen",
               "mantelzorg", "samen koken", "ouderen", "werk", "energie", "taal oefenen met nieuwkomers"]
    rng = random.Random(15)
    checks, mismatches = 0, []
    with httpx.Client(base_url=any_server, timeout=60) as client, ThreadPoolExecutor(4) as pool:
        def ask(params: dict) -> dict:
            response = client.get("/api/search", params={**params, "per_page": 1})
            assert response.status_code == 200, response.text
            return response.json()

        while checks < 500:
            cases = [(rng.choice(queries), random_filters(rng, vocab), random.Random(rng.random()))
                     for _ in range(8)]
            for made, bad in pool.map(lambda case: check(ask, *case, per_call=8), cases):
                checks += made
                mismatches += bad
    assert mismatches == []
