"""The search page and the widget in headless Chromium against the real server (the page tests
on both backends: `any_server`)."""

from __future__ import annotations

import contextlib
import re
import socket

import httpx
import pytest

from tests.e2e.catalogue import XSS_TITLE

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]


def test_real_server_finds_babbelonie_without_shared_words(any_server):
    body = httpx.get(f"{any_server}/api/search", params={"q": "taal oefenen met nieuwkomers via videobellen"}).json()
    assert "babbelonie-2-0" in [r["id"] for r in body["results"][:3]]


def test_real_server_returns_nothing_for_nonsense(any_server):
    body = httpx.get(f"{any_server}/api/search", params={"q": "xqzt vlmp"}).json()
    assert body["total"] == 0 and body["results"] == []


def test_search_facet_and_practice_page(any_server, page):
    def searched(*parts: str):
        """Wait for the page's own search request whose URL holds all these parts."""
        return page.expect_response(lambda r: "/api/search" in r.url and all(p in r.url for p in parts))

    with searched():  # the page's first (empty) search, so typing cannot race with it
        page.goto(any_server + "/")
    with searched("q=jongeren"):
        page.fill("#q", "jongeren in een crisis thuis begeleiden")
        page.press("#q", "Enter")
    page.wait_for_selector("#results li.result")
    assert "q=" in page.url
    total_before = int(re.search(r"\d+", page.inner_text("#total")).group())
    box = page.locator("input[type=checkbox][name=region][value=oost-vlaanderen]")
    with searched("q=jongeren", "region=oost-vlaanderen"):
        box.check()
    page.wait_for_function(
        "before => { const m = document.querySelector('#total').innerText.match(/\\d+/); return m && +m[0] < before; }",
        arg=total_before)
    assert "region=oost-vlaanderen" in page.url
    ids = page.locator("#results li.result").evaluate_all("els => els.map(e => e.dataset.id)")
    assert ids
    for pid in ids:
        assert httpx.get(f"{any_server}/api/practices/{pid}").json()["region"] == "oost-vlaanderen"
    page.locator("#results li.result a.result-title").first.click()
    page.wait_for_selector("#practice h1")
    assert "/praktijk/" in page.url
    page.wait_for_selector("#similar li")
    assert page.locator("#similar li").count() >= 1
    # The shared URL restores the search.
    page.goto(any_server + "/?q=koffie&region=vlaams-brabant")
    page.wait_for_selector("#results li.result")
    assert page.input_value("#q") == "koffie"
    assert page.locator("input[name=region][value=vlaams-brabant]").is_checked()


def test_page_says_nothing_was_found_for_nonsense(any_server, page):
    page.goto(any_server + "/?q=xqzt%20vlmp")
    page.wait_for_selector("#empty:not([hidden])")
    assert page.inner_text("#total") == "0 praktijken gevonden"
    assert "andere woorden" in page.inner_text("#empty")
    assert page.locator("#results li.result").count() == 0


def test_xss_title_renders_as_text_on_the_page(any_server, page):
    page.goto(any_server + "/praktijk/xss-test")
    page.wait_for_selector("#practice h1")
    assert page.inner_text("#practice h1") == XSS_TITLE
    page.goto(any_server + "/?q=gevaarlijke%20titel")
    page.wait_for_selector("#results li.result")
    assert XSS_TITLE in page.inner_text("#results")
    assert page.locator("#results img").count() == 0
    assert page.dialogs == []


def widget_search(page, widget_id: str, text: str):
    """Type a query into one widget on the page, submit, and wait for its first result."""
    widget = page.locator(f"praktijk-zoeker#{widget_id}")
    widget.locator("input[type=search]").fill(text)
    widget.locator("input[type=search]").press("Enter")
    widget.locator("li.result").first.wait_for()
    return widget


def test_widget_on_another_origin(server, other_origin, page):
    page.goto(other_origin + "/")
    widget = widget_search(page, "alle", "gratis koffie of een knipbeurt")
    titles = widget.locator("li.result a.result-title").all_inner_texts()
    assert 1 <= len(titles) <= 5
    href = widget.locator("li.result a.result-title").first.get_attribute("href")
    assert href.startswith(server + "/praktijk/")
    limburg = widget_search(page, "limburg", "sociaal werk")
    hrefs = limburg.locator("li.result a.result-title").evaluate_all("els => els.map(e => e.href)")
    assert len(hrefs) <= 3
    for href in hrefs:
        pid = href.rsplit("/", 1)[1]
        assert httpx.get(f"{server}/api/practices/{pid}").json()["region"] == "limburg"


def test_widget_escapes_practice_text(server, other_origin, page):
    page.goto(other_origin + "/")
    widget = widget_search(page, "limburg", "gevaarlijke titel")
    assert XSS_TITLE in widget.locator("li.result").all_inner_texts()[0]
    assert widget.locator("img").count() == 0
    assert page.dialogs == []


def test_widget_demo_page_is_served(any_server, page):
    page.goto(any_server + "/widget")
    assert "widget.js" in page.content()
    page.locator("praktijk-zoeker").first.wait_for()


def test_a_one_megabyte_query_is_refused_by_the_real_server(any_server):
    """Too big for any HTTP client library, so sent over a raw socket."""
    host, port = any_server.removeprefix("http://").split(":")
    request = f"GET /api/search?q={'taal+' * 200_000} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        # the server may close as soon as it has refused the request line
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request.encode())
        reply = sock.recv(4096).decode(errors="replace")
    status = int(reply.split(" ", 2)[1])
    assert 400 <= status < 500
    assert httpx.get(f"{any_server}/health").status_code == 200  # and it keeps serving
