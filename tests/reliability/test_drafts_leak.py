"""Drafts stay hidden: /similar answers 404 for one as GET does, and /health counts published
practices only. A filter that matches nothing gives no similar practices (not unfiltered ones)."""

from __future__ import annotations

from tests.conftest import SAMPLE

DRAFT = {**SAMPLE[0], "id": "verborgen-kladversie", "title": "Verborgen kladversie over taal"}


def test_similar_of_a_draft_is_404_like_get(client):
    assert client.post("/api/submissions", json=DRAFT).status_code == 201
    assert client.get("/api/practices/verborgen-kladversie").status_code == 404
    r = client.get("/api/practices/verborgen-kladversie/similar")
    assert r.status_code == 404, r.text
    assert "verborgen-kladversie" in r.json()["detail"]


def test_health_counts_published_practices_only(client):
    assert client.post("/api/submissions", json=DRAFT).status_code == 201
    body = client.get("/health").json()
    assert body["practices"] == body["published"] == len(SAMPLE)


def test_similar_with_a_filter_that_matches_nothing_is_empty(client):
    r = client.get("/api/practices/taalcafe-gent/similar",
                   params={"krachtlijn": "politiserend", "region": "antwerpen"})
    assert r.status_code == 200
    assert r.json()["results"] == []
    assert client.get("/api/practices/taalcafe-gent/similar").json()["results"]  # unfiltered: some
