"""The web pages through TestClient: HEAD, the HTML 404, offline API docs, the practice page's head."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from catalogue.model import parse_practice

PAGES = ["/", "/over", "/widget", "/voorstellen", "/docs", "/redoc", "/praktijk/taalcafe-gent"]
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


class _Head(HTMLParser):
    """Collects <title>, <meta> and script/stylesheet URLs, and the main menu's links."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.meta: dict[str, str] = {}
        self.assets: list[str] = []
        self.menu: list[str] = []
        self._in_title = False
        self._in_nav = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "title":
            self._in_title = True
        elif tag == "meta" and ("name" in a or "property" in a):
            self.meta[a.get("name") or a["property"]] = a.get("content", "")
        elif tag == "script" and "src" in a:
            self.assets.append(a["src"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.assets.append(a["href"])
        elif tag == "nav" and a.get("aria-label") == "Hoofdmenu":
            self._in_nav = True
        elif tag == "a" and self._in_nav:
            self.menu.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "nav":
            self._in_nav = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parsed(text: str) -> _Head:
    head = _Head()
    head.feed(text)
    return head


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_head_and_get(client, path):
    assert client.head(path).status_code == 200
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")


def test_every_page_has_the_same_main_menu(client):
    menus = {path: parsed(client.get(path).text).menu for path in PAGES}
    menus["404"] = parsed(client.get("/bestaat-niet", headers=HTML).text).menu
    assert set(map(tuple, menus.values())) == {("/", "/voorstellen", "/over", "/widget")}


def test_browsers_get_a_dutch_html_404_with_a_way_back(client):
    r = client.get("/bestaat-niet", headers=HTML)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Deze pagina bestaat niet" in r.text and 'href="/"' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/api/bestaat-niet", "/api/practices/bestaat-niet"])
def test_the_api_keeps_json_404s_even_for_browsers(client, path):
    r = client.get(path, headers=HTML)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["detail"]


def test_clients_that_do_not_ask_for_html_get_json(client):
    r = client.get("/bestaat-niet")
    assert r.status_code == 404 and r.json()["detail"] == "Deze pagina of dit adres bestaat niet."


@pytest.mark.parametrize("path, bundle", [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_api_docs_load_installed_files_under_a_strict_script_policy(client, path, bundle):
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src.strip() == "'self'"  # no inline script, no CDN
    assert "<script>" not in r.text
    assets = parsed(r.text).assets
    assert f"/docs-assets/{bundle}" in assets
    assert all(a.startswith("/") and not a.startswith("//") for a in assets)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 100, asset
    assert client.get("/openapi.json").status_code == 200


def test_docs_assets_serve_only_the_known_files(client):
    assert client.get("/docs-assets/../../app.py").status_code == 404
    assert client.get("/docs-assets/favicon.png").status_code == 404


def test_practice_page_head_is_rendered_on_the_server(client):
    head = parsed(client.get("/praktijk/taalcafe-gent").text)
    assert head.title == "Taalcafé in de bibliotheek – Praktijkbank"
    assert head.meta["og:title"] == "Taalcafé in de bibliotheek"
    assert head.meta["og:type"] == "article"
    assert head.meta["og:url"].endswith("/praktijk/taalcafe-gent")
    assert head.meta["description"] == "Nieuwkomers oefenen wekelijks Nederlands met vrijwilligers aan tafel."
    assert head.meta["og:description"] == head.meta["description"]


def test_practice_page_head_escapes_the_title(client, store, core):
    store.upsert_many([parse_practice({
        "id": "gevaar", "title": '"><script>alert(1)</script>', "summary": "Een titel met HTML erin <b>vet</b>.",
        "organisation": "Test", "region": "limburg", "sectors": ["welzijn"], "krachtlijnen": ["verbindend"]})])
    text = client.get("/praktijk/gevaar").text
    assert "<script>alert(1)" not in text
    assert parsed(text).meta["og:title"] == '"><script>alert(1)</script>'  # the parser unescapes it again


def test_unknown_and_draft_practices_are_404_pages(client, store):
    store.upsert_many([parse_practice({
        "id": "klad", "title": "Kladversie", "summary": "Nog niet gepubliceerd.", "organisation": "Test",
        "region": "limburg", "sectors": ["welzijn"], "krachtlijnen": ["verbindend"], "status": "draft"})])
    for path in ("/praktijk/bestaat-niet", "/praktijk/klad"):
        r = client.get(path)
        assert r.status_code == 404 and "Deze pagina bestaat niet" in r.text
        assert "Kladversie" not in r.text
