"""What every request goes through: the app's own settings without dependency overrides, and
result URLs built from one template per request."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.http.app import create_app


def test_the_app_overrides_no_dependency_and_routes_see_its_settings(core, settings):
    # With any entry in dependency_overrides, FastAPI analyses every route's dependencies again
    # on each request; the settings come from the app's state instead.
    settings.max_per_page = 2
    app = create_app(settings, core)
    assert app.dependency_overrides == {}
    with TestClient(app) as c:
        body = c.get("/api/search", params={"q": "buurt", "per_page": 10, "mode": "lexical"}).json()
    assert body["per_page"] == 2  # this app's settings, not the environment's


def test_every_result_links_to_its_own_page(client, sample):
    items = client.get("/api/practices", params={"per_page": 10}).json()["results"]
    assert len(items) == len(sample)
    searched = client.get("/api/search", params={"q": "taal", "per_page": 10}).json()["results"]
    similar = client.get(f"/api/practices/{sample[0]['id']}/similar").json()["results"]
    assert searched and similar
    for item in [*items, *searched, *similar]:
        assert item["url"] == f"http://testserver/praktijk/{item['id']}"
