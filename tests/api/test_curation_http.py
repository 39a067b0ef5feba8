"""Coverage, tag suggestions and duplicate flags over HTTP (fake embedder, real SQLite and FAISS)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from catalogue.model import parse_practice
from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS


@pytest.fixture
def client(store, core, sample, settings):
    store.upsert_many([parse_practice(d) for d in sample])
    core.indexing.sync()
    settings.submission_rate = "50/minute"  # its own bucket: test_http counts its submissions
    with TestClient(create_app(settings, core)) as c:
        yield c


def test_coverage_matches_the_data(client, sample):
    r = client.get("/api/coverage")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == len(sample)
    assert [k["key"] for k in body["krachtlijnen"]] == KRACHTLIJNEN.keys
    assert [g["key"] for g in body["regions"]] == REGIONS.keys
    i, j = KRACHTLIJNEN.keys.index("laagdrempelig"), REGIONS.keys.index("west-vlaanderen")
    assert body["matrix"][i][j] == 1
    assert sum(map(sum, body["matrix"])) == sum(len(d["krachtlijnen"]) for d in sample)
    assert {c["count"] for c in body["thinnest"]} == {0}


def test_a_planted_duplicate_submission_is_flagged_and_a_distinct_one_is_not(client, sample):
    copy = {k: v for k, v in sample[0].items() if k != "id"} | {"title": "Taalcafé in de bibliotheek"}
    r = client.post("/api/submissions", json={**copy, "id": "taalcafe-nog-eens"})
    assert r.status_code == 201
    body = r.json()
    assert [d["id"] for d in body["possible_duplicates"]] == ["taalcafe-gent"]
    assert body["possible_duplicates"][0]["url"].endswith("/praktijk/taalcafe-gent")
    assert "lijkt sterk op" in body["message"]
    distinct = {"title": "Fietsatelier", "summary": "Buurtbewoners herstellen samen fietsen in een atelier.",
                "organisation": "Vzw Velo", "municipality": "Brugge", "sectors": ["mobiliteit"],
                "krachtlijnen": ["verbindend"]}
    r = client.post("/api/submissions", json=distinct)
    assert r.status_code == 201 and r.json()["possible_duplicates"] == []


def test_suggestions_need_a_key_and_return_ordered_confidences(client, api_key):
    text = {"text": "Vrijwilligers oefenen Nederlands met nieuwkomers in de bibliotheek van Gent."}
    assert client.post("/api/suggestions", json=text).status_code == 401
    r = client.post("/api/suggestions", json=text, headers={"X-API-Key": api_key})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"krachtlijnen", "sectors", "region"}
    assert len(body["krachtlijnen"]) == len(KRACHTLIJNEN.keys) and len(body["sectors"]) == len(SECTORS.keys)
    for kind in ("krachtlijnen", "sectors"):
        confidences = [s["confidence"] for s in body[kind]]
        assert confidences == sorted(confidences, reverse=True) and body[kind][0]["suggested"]
    assert body["region"]["region"] == "oost-vlaanderen" and body["region"]["municipality"] == "Gent"
    short = client.post("/api/suggestions", json={"text": "kort"}, headers={"X-API-Key": api_key})
    assert short.status_code == 422 and short.json()["errors"][0]["parameter"] == "text"


def test_about_page_and_script_under_the_strict_policy(client):
    page = client.get("/over")
    assert page.status_code == 200 and "Dekking" in page.text and 'src="/over.js"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text and "style=" not in page.text
    script = client.get("/over.js")
    assert script.status_code == 200 and "/api/coverage" in script.text
    assert 'href="/over"' in client.get("/").text
