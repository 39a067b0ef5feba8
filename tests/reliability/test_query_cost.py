"""What one search can cost is bounded: the query is normalised (NFC), floods of combining marks
are cut, and characters and words are capped before anything is embedded; searches are limited
per client."""

from __future__ import annotations

import unicodedata

import pytest

from search.query_bounds import MAX_MARKS, MAX_QUERY_TOKENS, bound_query


@pytest.fixture
def embedded(fake_embedder, monkeypatch):
    """The texts that reach the embedder as queries."""
    seen: list[str] = []
    original = fake_embedder.encode_queries

    def record(texts):
        seen.extend(texts)
        return original(texts)

    monkeypatch.setattr(fake_embedder, "encode_queries", record)
    return seen


def longest_mark_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if unicodedata.combining(ch) else 0
        longest = max(longest, run)
    return longest


@pytest.mark.parametrize("flood", ["taal" + "\u0301" * 496, "\u0301" * 500, ("a" + "\u0300\u0301\u0302" * 9) * 17])
def test_a_flood_of_combining_marks_reaches_the_embedder_cut(client, embedded, flood):
    assert len(flood) <= 500
    r = client.get("/api/search", params={"q": flood})
    assert r.status_code == 200, r.text
    assert embedded and all(longest_mark_run(t) <= MAX_MARKS for t in embedded)
    assert all(len(t) <= 200 for t in embedded)


def test_a_long_query_is_capped_in_words_before_embedding(client, embedded):
    r = client.get("/api/search", params={"q": "taal " * 99})
    assert r.status_code == 200
    assert embedded and all(len(t.split()) <= MAX_QUERY_TOKENS for t in embedded)


def test_bound_query_normalises_and_keeps_ordinary_text():
    assert bound_query("taalcafe\u0301  in   Gent") == "taalcafé in Gent"
    assert bound_query("x" + "\u0301" * 40) == "x\u0301" if MAX_MARKS == 1 else bound_query("x" + "\u0301" * 40).startswith("x")
    assert bound_query("Ça va") == "Ça va"


def test_searches_are_rate_limited_per_client(client, settings):
    settings.search_rate = "3/minute"
    for _ in range(3):
        assert client.get("/api/search", params={"q": "taal"}).status_code == 200
    r = client.get("/api/search", params={"q": "taal"})
    assert r.status_code == 429
    assert "Te veel zoekvragen" in r.json()["detail"] and r.headers["Retry-After"] == "60"
    assert client.get("/api/practices/taalcafe-gent/similar").status_code == 429
    assert client.get("/api/practices/taalcafe-gent").status_code == 200  # reading is not limited
