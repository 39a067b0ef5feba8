"""Facet counts that hold, on a generated catalogue of 2,000 practices (fast embedder)."""

from __future__ import annotations

import random

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from benchmarks.corpus import generate
from catalogue.model import parse_practice
from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS
from tests.facet_property import check, random_filters

QUERIES = ["", "jongeren", "buurt", "armoede en wonen", "samen koken met buren", "ouderen eenzaamheid",
           "schulden", "huiswerkbegeleiding", "werk", "taal oefenen", "gezondheid", "vrijwilligers"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from catalogue.settings import Settings
    from catalogue.store_sqlite import SqliteStore
    from tests.conftest import FakeEmbedder, make_core

    home = tmp_path_factory.mktemp("facets")
    store = SqliteStore(home / "praktijkbank.db")
    store.upsert_many([parse_practice(r) for r in generate(2000)])
    core = make_core(store, index_path=home / "index.faiss", embedder=FakeEmbedder())
    core.indexing.sync()
    settings = Settings(home=home, search_rate="1000000/minute")
    with TestClient(create_app(settings, core)) as client:
        yield client
    store.close()


def test_every_facet_count_is_the_total_of_its_click(generated):
    vocab = {"krachtlijn": list(KRACHTLIJNEN.keys), "region": list(REGIONS.keys), "sector": list(SECTORS.keys)}

    def search(params):
        response = generated.get("/api/search", params={**params, "per_page": 1})
        assert response.status_code == 200, response.text
        return response.json()

    rng = random.Random(20261203)
    checks, mismatches = 0, []
    while checks < 600:
        made, bad = check(search, rng.choice(QUERIES), random_filters(rng, vocab), rng, per_call=8)
        checks += made
        mismatches += bad
    assert mismatches == []
