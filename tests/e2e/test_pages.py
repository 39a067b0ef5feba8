"""Issue 16 in headless Chromium against the real server: dead ends, phones, keyboard, consistency,
small defects, print, the API docs and the submission form."""

from __future__ import annotations

import json
import re

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]

PHONE = {"width": 390, "height": 844}
PRACTICE = "babbelonie-2-0"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def searched(page, *parts: str):
    """Wait for the page's own search request whose URL holds all these parts."""
    return page.expect_response(lambda r: "/api/search" in r.url and all(p in r.url for p in parts))


def outside_origin_requests(page, server: str) -> list[str]:
    """Scripts, styles and data the page asks from anywhere but the server (Redoc's footer logo, an
    image the CSP blocks, is not counted)."""
    urls: list[str] = []
    kinds = ("script", "stylesheet", "fetch", "xhr", "font", "document")
    page.on("request", lambda r: urls.append(r.url)
            if r.resource_type in kinds and not r.url.startswith((server, "data:")) else None)
    return urls


# ---------- dead ends ----------

def test_wrong_urls_show_a_dutch_page_with_a_way_back(server, page):
    response = page.goto(server + "/deze/pagina/bestaat/niet")
    assert response.status == 404
    assert page.inner_text("h1") == "Deze pagina bestaat niet"
    page.get_by_role("link", name="Zoek een praktijk in de Praktijkbank").click()
    page.wait_for_selector("#results li.result")
    assert page.url == server + "/"


def test_api_urls_keep_json_in_the_browser(server, page):
    response = page.goto(server + "/api/bestaat-niet")
    assert response.status == 404
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("path, ready", [("/docs", "#swagger-ui .opblock"), ("/redoc", "#redoc h2")])
def test_api_docs_render_offline_under_the_strict_policy(server, page, path, ready):
    outside = outside_origin_requests(page, server)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + path)
    page.wait_for_selector(ready, timeout=20_000)
    assert "script-src 'self'" in page.evaluate("() => fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert "/api/submissions" in page.inner_text("main")
    assert errors == []
    assert outside == []


def test_swagger_try_it_out_reaches_the_api(server, page):
    page.goto(server + "/docs")
    block = page.locator("#operations-zoeken-vocabularies_api_vocabularies_get")
    block.locator(".opblock-summary-control").click()
    block.get_by_role("button", name="Try it out").click()
    with page.expect_response(lambda r: r.url.endswith("/api/vocabularies")) as done:
        block.get_by_role("button", name="Execute").click()
    assert done.value.status == 200


# ---------- practice page: paragraphs, fields, head, print ----------

def test_descriptions_render_paragraphs(server, page):
    wrapped = "regelbreuken-test"  # a record with hard line breaks inside its paragraphs
    description = httpx.get(f"{server}/api/practices/{wrapped}").json()["description"]
    blocks = [b for b in re.split(r"\n\s*\n", description) if b.strip()]
    assert len(blocks) == 2 and all("\n" in b.strip() for b in blocks)
    page.goto(f"{server}/praktijk/{wrapped}")
    page.wait_for_selector(".description p")
    shown = page.locator(".description p").evaluate_all(
        "ps => ps.map(p => ({text: p.innerText, ws: getComputedStyle(p).whiteSpace}))")
    assert len(shown) == len(blocks)
    for item, block in zip(shown, blocks, strict=False):
        assert "\n" not in item["text"]
        assert item["ws"] == "normal"
        assert item["text"] == " ".join(block.split())


def test_practice_page_shows_its_fields_and_title(server, page):
    practice = httpx.get(f"{server}/api/practices/{PRACTICE}").json()
    page.goto(f"{server}/praktijk/{PRACTICE}")
    page.wait_for_selector(".fields")
    fields = dict(zip(page.locator(".field dt").all_inner_texts(), page.locator(".field dd").all_inner_texts(), strict=False))
    assert fields["Website"] == practice["website"]
    assert fields["Bron"] == practice["source_url"]
    for name in ("Laatst nagekeken", "Toegevoegd", "Bijgewerkt"):
        assert re.search(r"\d{4}", fields[name]), name
    assert "Periode" not in fields  # this practice has no start_year in the API
    assert page.title() == f"{practice['title']} – Praktijkbank"


@pytest.mark.parametrize("start, end, shown", [(2019, "lopend", "sinds 2019, lopend"), (2015, 2021, "2015–2021")])
def test_practice_period_is_shown_when_the_api_sends_it(server, page, start, end, shown):
    def with_period(route):
        response = route.fetch()
        body = {**response.json(), "start_year": start, "end_year": end}
        route.fulfill(response=response, body=json.dumps(body))

    page.route(f"**/api/practices/{PRACTICE}", with_period)
    page.goto(f"{server}/praktijk/{PRACTICE}")
    page.wait_for_selector(".fields")
    fields = dict(zip(page.locator(".field dt").all_inner_texts(), page.locator(".field dd").all_inner_texts(), strict=False))
    assert fields["Periode"] == shown


def test_shared_links_get_the_practice_title_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/praktijk/{PRACTICE}")
    title = httpx.get(f"{server}/api/practices/{PRACTICE}").json()["title"]
    assert page.title() == f"{title} – Praktijkbank"
    assert page.locator('meta[property="og:title"]').get_attribute("content") == title
    assert page.locator('meta[name="description"]').get_attribute("content")
    context.close()


def test_practice_page_prints_cleanly(server, page):
    page.goto(f"{server}/praktijk/{PRACTICE}")
    page.wait_for_selector("#similar li")
    page.emulate_media(media="print")
    for selector in (".site-header", ".site-nav", ".site-footer", ".back", ".similar"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("#practice h1").is_visible()
    # Every link that shows on paper shows its address, in its text or written out after it.
    links = page.locator("#practice a").evaluate_all("""links => links
        .filter(a => a.getClientRects().length > 0)
        .map(a => [a.href, a.textContent + getComputedStyle(a, '::after').content])""")
    assert links
    for href, shown in links:
        assert href in shown, href
    page.evaluate("""() => { const a = document.createElement('a'); a.href = 'https://example.org/x';
        a.textContent = 'een website'; document.querySelector('.description').append(a); }""")
    after = page.locator(".description a").last.evaluate("a => getComputedStyle(a, '::after').content")
    assert "https://example.org/x" in after
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_krachtlijn_definitions_on_the_practice_page(server, page):
    page.goto(f"{server}/praktijk/{PRACTICE}")
    page.wait_for_selector(".fields")
    page.get_by_text("Wat betekenen deze krachtlijnen?").click()
    definitions = page.locator(".definitions dd")
    assert definitions.first.is_visible()
    assert len(definitions.first.inner_text()) > 40


# ---------- search page: keyboard, phones, titles, small defects ----------

def test_skip_link_reaches_the_first_result(server, page):
    with searched(page):
        page.goto(server + "/?q=ouderen")
    page.wait_for_selector("#results li.result")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de resultaten"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first = page.locator("#results li.result a.result-title").first
    assert first.evaluate("a => a === document.activeElement")


def test_filter_groups_fold(server, page):
    page.goto(server + "/")
    page.wait_for_selector("#filter-groups details[data-group=region] input")
    region = page.locator("#filter-groups details[data-group=region]")
    boxes = region.locator("input[type=checkbox]")
    assert boxes.first.is_visible()
    region.locator("summary").click()
    assert not boxes.first.is_visible()
    region.locator("summary").press("Enter")
    assert boxes.first.is_visible()


def test_krachtlijn_definitions_in_the_filters_are_not_only_tooltips(server, page):
    page.goto(server + "/")
    page.wait_for_selector("#filter-groups input[name=krachtlijn]")
    assert page.locator("#filter-groups label[title]").count() == 0
    box = page.locator("#filter-groups input[name=krachtlijn][value=politiserend]")
    description = page.locator("#" + box.get_attribute("aria-describedby"))
    assert "beleid" in description.text_content()  # the checkbox's accessible description
    toggle = page.get_by_role("button", name="Uitleg bij de krachtlijnen")
    toggle.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert description.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not description.is_visible()


def test_phone_filter_shows_the_result_count_in_view(server, phone):
    with searched(phone):
        phone.goto(server + "/?q=jongeren")
    phone.locator("#filters > summary").click()
    with searched(phone, "region=antwerpen"):
        phone.locator("input[name=region][value=antwerpen]").check()
    total = int(re.search(r"\d+", phone.inner_text("#total")).group())
    button = phone.locator("#show-results")
    phone.wait_for_function("t => document.querySelector('#show-results').textContent.includes(t)", arg=str(total))
    assert button.inner_text() in (f"Toon {total} resultaten", "Toon 1 resultaat")
    box = button.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]  # visible without scrolling
    assert phone.get_attribute("#total", "role") == "status"  # the new count is announced
    button.click()
    assert phone.evaluate("document.activeElement.id") == "total"
    top = phone.locator("#total").bounding_box()["y"]
    assert 0 <= top < PHONE["height"]


def test_tab_title_follows_the_search(server, page):
    with searched(page, "q=eenzaamheid"):
        page.goto(server + "/?q=eenzaamheid")
    page.wait_for_function("() => document.title.startsWith('eenzaamheid')")
    assert page.title().endswith("– Zoeken – Praktijkbank")
    with searched(page, "q=schulden"):
        page.fill("#q", "schulden")
        page.press("#q", "Enter")
    page.wait_for_function("() => document.title.startsWith('schulden')")


def test_no_page_count_without_results(server, page):
    page.goto(server + "/?q=xqzt%20vlmp")
    page.wait_for_selector("#empty:not([hidden])")
    assert not page.locator("#pagination").is_visible()
    assert "pagina 1 van 1" not in page.inner_text("body")


def test_did_you_mean_and_nearest_are_rendered_when_sent(server, page):
    def with_help(route):
        response = route.fetch()
        body = {**response.json(), "match": "nearest", "did_you_mean": "eenzaamheid"}
        route.fulfill(response=response, body=json.dumps(body))

    page.route("**/api/search?*", with_help)
    page.goto(server + "/?q=eenzaamhied")
    help_box = page.locator("#query-help")
    help_box.wait_for()
    assert "Geen praktijk gaat precies over ‘eenzaamhied’. Deze liggen het dichtst in de buurt." in help_box.inner_text()
    link = help_box.get_by_role("link", name="eenzaamheid")
    assert "Bedoelde je eenzaamheid?" in help_box.inner_text()
    with searched(page, "q=eenzaamheid"):
        link.click()
    assert "q=eenzaamheid" in page.url and page.input_value("#q") == "eenzaamheid"
    page.unroute_all(behavior="ignoreErrors")


def test_no_query_help_without_those_fields(server, page):
    with searched(page, "q=ouderen"):
        page.goto(server + "/?q=ouderen")
    page.wait_for_selector("#results li.result")
    assert not page.locator("#query-help").is_visible()


@pytest.mark.parametrize("path, selector", [("/over", ".table-wrap"), ("/widget", "pre")])
def test_scrollable_regions_scroll_by_keyboard_on_phones(server, phone, path, selector):
    phone.goto(server + path)
    phone.wait_for_selector("#coverage:not([hidden])" if path == "/over" else "pre")
    region = phone.locator(selector).first
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # it does scroll at this width
    region.focus()
    assert region.evaluate("e => e === document.activeElement")
    for _ in range(5):
        phone.keyboard.press("ArrowRight")
    phone.wait_for_function("s => document.querySelector(s).scrollLeft > 0", arg=selector)
