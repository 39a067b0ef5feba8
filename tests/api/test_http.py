"""Every endpoint and every error class through TestClient (fake embedder, real SQLite and FAISS)."""

from __future__ import annotations

import time

import pytest

from catalogue.keys_sqlite import SqliteKeyStore

NEW = {"title": "Fietsatelier", "summary": "Buurtbewoners herstellen samen fietsen in een atelier.",
       "organisation": "Vzw Velo", "municipality": "Brugge", "sectors": ["mobiliteit"], "krachtlijnen": ["verbindend"]}


def test_search_response_shape(client):
    r = client.get("/api/search", params={"q": "warme maaltijd buurt"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"query", "mode", "total", "page", "per_page", "results", "facets", "match", "did_you_mean"}
    first = body["results"][0]
    assert set(first) >= {"id", "title", "summary", "snippet", "score", "region", "sectors", "krachtlijnen", "url"}
    assert first["url"].endswith(f"/praktijk/{first['id']}")
    assert set(body["facets"]) == {"krachtlijn", "region", "sector"}


@pytest.mark.parametrize("params, kinds", [
    ([], {"krachtlijn", "region", "sector"}),  # no parameter: every kind, as before
    ([("facets", "")], set()),
    ([("facets", "region")], {"region"}),
    ([("facets", "krachtlijn,region"), ("facets", "sector")], {"krachtlijn", "region", "sector"}),
    ([("facets", " sector , krachtlijn ")], {"krachtlijn", "sector"}),
])
def test_search_counts_the_facets_asked_for(client, params, kinds):
    base = [("q", "buurt"), ("region", "antwerpen")]
    full = client.get("/api/search", params=base).json()
    body = client.get("/api/search", params=base + params).json()
    assert {k for k, v in body["facets"].items() if v is not None} == kinds
    assert {k: body["facets"][k] for k in kinds} == {k: full["facets"][k] for k in kinds}
    assert set(body["facets"]) == {"krachtlijn", "region", "sector"}  # the others are null
    assert (body["total"], body["results"]) == (full["total"], full["results"])


def test_unknown_facet_kind_is_422_in_dutch_naming_facets(client):
    r = client.get("/api/search", params={"q": "buurt", "facets": "region,thema"})
    assert r.status_code == 422
    assert [e["parameter"] for e in r.json()["errors"]] == ["facets"]
    assert "onbekende soort 'thema'" in r.json()["detail"]


def test_openapi_documents_the_facets_parameter(client):
    spec = client.get("/openapi.json").json()
    param = next(p for p in spec["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "facets")
    assert "Zonder de parameter" in param["description"]


def test_search_filters_repeatable_and_aliases(client):
    r = client.get("/api/search", params=[("region", "Antwerpen"), ("region", "West-Vlaanderen"), ("q", "")])
    assert {x["region"] for x in r.json()["results"]} == {"antwerpen", "west-vlaanderen"}
    assert r.json()["total"] == 2


@pytest.mark.parametrize("params, name", [
    ({"page": "0"}, "page"), ({"page": "abc"}, "page"), ({"per_page": "-1"}, "per_page"),
    ({"mode": "magic"}, "mode"), ({"krachtlijn": "creatief"}, "krachtlijn"), ({"q": "x" * 600}, "q"),
])
def test_bad_parameters_are_422_naming_the_parameter(client, params, name):
    r = client.get("/api/search", params=params)
    assert r.status_code == 422
    assert name in [e["parameter"] for e in r.json()["errors"]]
    assert r.json()["detail"]


def test_per_page_is_capped(client):
    assert client.get("/api/search", params={"per_page": 10_000}).json()["per_page"] == 50


def test_practice_detail_etag_and_404(client):
    r = client.get("/api/practices/taalcafe-gent")
    assert r.status_code == 200 and r.json()["municipality"] == "Gent"
    etag = r.headers["etag"]
    assert client.get("/api/practices/taalcafe-gent", headers={"If-None-Match": etag}).status_code == 304
    missing = client.get("/api/practices/bestaat-niet")
    assert missing.status_code == 404 and "bestaat-niet" in missing.json()["detail"]


def test_listing_and_similar_and_vocabularies(client):
    listing = client.get("/api/practices", params={"krachtlijn": "laagdrempelig"}).json()
    assert listing["total"] == 3 and all("laagdrempelig" in p["krachtlijnen"] for p in listing["results"])
    similar = client.get("/api/practices/taalcafe-gent/similar", params={"limit": 3}).json()
    assert len(similar["results"]) == 3 and "taalcafe-gent" not in [x["id"] for x in similar["results"]]
    assert client.get("/api/practices/nope/similar").status_code == 404
    vocab = client.get("/api/vocabularies").json()
    k = {t["key"]: t for t in vocab["krachtlijn"]}
    assert k["laagdrempelig"]["label"] == "Laagdrempelig en nabij werken" and k["laagdrempelig"]["count"] == 3
    assert len(vocab["region"]) == 7


def test_health_is_ready_and_reports_stamp(client):
    body = client.get("/health").json()
    assert body["ready"] and body["index_count"] == 6 and body["index_stamp"]["embedder"] == "fake/hashed-words-64"


def test_server_builds_its_search_views_at_start_and_after_a_write(client, store):
    def warm_within(seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if client.get("/health").json()["warm"]:
                return True
            time.sleep(0.05)
        return False

    assert warm_within(60)  # the start-up thread built the BM25 postings
    store.delete("taalcafe-gent")
    assert not client.get("/health").json()["warm"]  # the postings no longer match
    client.get("/api/search", params={"q": "nederlands oefenen", "mode": "lexical"})  # FTS5 answers
    assert warm_within(60)  # and that search started the rebuild


def test_health_503_when_index_drifts(client, store):
    store.delete("taalcafe-gent")  # behind the core's back
    r = client.get("/health")
    assert r.status_code == 503 and not r.json()["ready"]


def test_health_checks_again_only_when_the_catalogue_or_the_index_changed(client, core, store, monkeypatch):
    checks = []
    check = core.indexing.check
    monkeypatch.setattr(core.indexing, "check", lambda **kw: checks.append(kw) or check(**kw))
    def body() -> dict:
        answer = client.get("/health").json()
        answer.pop("warm")  # live, not cached: the start-up thread may finish between two calls
        return answer

    first = body()
    assert body() == first and len(checks) == 1  # the second is the cached answer
    before = len(checks)
    store.delete("taalcafe-gent")  # behind the core's back: a commit moves the version
    r = client.get("/health")
    assert r.status_code == 503 and len(checks) == before + 1
    core.indexing.sync()  # the index catches up (a write of the index file)
    r = client.get("/health")
    assert r.status_code == 200 and r.json()["index_count"] == first["index_count"] - 1
    assert len(checks) == before + 2
    core.index.path.unlink()  # the file goes: another process could have done it
    r = client.get("/health")
    assert r.status_code == 503 and len(checks) == before + 3


def test_health_sees_a_catalogue_that_became_read_only(client, core, store, monkeypatch):
    assert client.get("/health").status_code == 200
    monkeypatch.setattr(store, "read_only_reason", lambda: "de schijf is alleen-lezen gekoppeld")
    r = client.get("/health")
    assert r.status_code == 503 and "alleen-lezen" in " ".join(r.json()["problems"])


def test_writes_need_a_valid_key(client, store):
    assert client.post("/api/practices", json=NEW).status_code == 401
    assert client.post("/api/practices", json=NEW, headers={"X-API-Key": "pb_dead_beef"}).status_code == 403
    keys = SqliteKeyStore(store)
    key = keys.create("tijdelijk")
    keys.revoke(key.split("_")[1])
    assert client.post("/api/practices", json=NEW, headers={"X-API-Key": key}).status_code == 403


def test_crud_updates_store_and_index_together(client, api_key):
    h = {"X-API-Key": api_key}
    created = client.post("/api/practices", json=NEW, headers=h)
    assert created.status_code == 201 and created.json()["region"] == "west-vlaanderen"
    assert client.post("/api/practices", json=NEW, headers=h).status_code == 409
    assert client.get("/api/search", params={"q": "fietsen herstellen"}).json()["results"][0]["id"] == "fietsatelier"
    patched = client.patch("/api/practices/fietsatelier", json={"summary": "Samen fietsen repareren in Brugge."}, headers=h)
    assert patched.status_code == 200 and patched.json()["summary"].startswith("Samen")
    put = client.put("/api/practices/fietsatelier", json={**NEW, "title": "Fietsatelier Brugge"}, headers=h)
    assert put.status_code == 200 and put.json()["title"] == "Fietsatelier Brugge"
    assert client.get("/health").json()["ready"]
    assert client.delete("/api/practices/fietsatelier", headers=h).status_code == 204
    assert client.get("/api/practices/fietsatelier").status_code == 404
    assert client.get("/health").json()["index_count"] == 6


def test_invalid_write_is_422_with_dutch_field_messages_and_nothing_stored(client, api_key):
    r = client.post("/api/practices", json={**NEW, "krachtlijnen": ["creatief"], "summary": "kort"},
                    headers={"X-API-Key": api_key})
    assert r.status_code == 422
    fields = {e["parameter"] for e in r.json()["errors"]}
    assert fields == {"krachtlijnen", "summary"}
    assert client.get("/api/practices/fietsatelier").status_code == 404


@pytest.mark.parametrize("body", ["{niet json", "[]", '"tekst"', "null"])
def test_malformed_bodies_are_4xx_not_500(client, api_key, body):
    r = client.post("/api/practices", content=body, headers={"X-API-Key": api_key, "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500


def test_body_size_limit(client, api_key):
    r = client.post("/api/submissions", content="x" * 300_000, headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_submission_is_a_draft_until_published_and_rate_limited(client, api_key):
    r = client.post("/api/submissions", json={**NEW, "status": "published"})
    assert r.status_code == 201 and r.json()["status"] == "draft"
    assert client.get("/api/practices/fietsatelier").status_code == 404
    assert "fietsatelier" not in [x["id"] for x in client.get("/api/search", params={"q": "fietsen"}).json()["results"]]
    h = {"X-API-Key": api_key}
    assert [p["id"] for p in client.get("/api/submissions", headers=h).json()] == ["fietsatelier"]
    assert client.post("/api/submissions/fietsatelier/publish", headers=h).status_code == 200
    assert client.get("/api/practices/fietsatelier").status_code == 200
    client.post("/api/submissions", json={**NEW, "title": "Tweede voorstel"})
    third = client.post("/api/submissions", json={**NEW, "title": "Derde voorstel"})
    assert third.status_code == 201
    limited = client.post("/api/submissions", json={**NEW, "title": "Vierde voorstel"})
    assert limited.status_code == 429 and "Te veel" in limited.json()["detail"]
    assert client.delete("/api/submissions/tweede-voorstel", headers=h).status_code == 204
    assert client.delete("/api/submissions/fietsatelier", headers=h).status_code == 409  # not a draft


def test_cors_and_security_headers(client):
    r = client.get("/api/search", headers={"Origin": "https://platform.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_unknown_route_is_dutch_404(client):
    r = client.get("/api/bestaat-niet")
    assert r.status_code == 404 and r.json()["detail"].startswith("Deze pagina")


def test_openapi_document(client):
    spec = client.get("/openapi.json").json()
    assert "/api/search" in spec["paths"] and "/api/submissions" in spec["paths"]
