"""axe-core (the copy bundled in axe-playwright-python, no CDN) on every page at desktop and phone size:
0 violations of all its rules (WCAG 2.0/2.1 A and AA, and best practices)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# Each page with what shows that it has finished rendering.
PAGES = {
    "home": ("/", "#results li.result"),
    "search": ("/?q=eenzaamheid%20bij%20ouderen", "#results li.result"),
    "filtered": ("/?q=jongeren&region=antwerpen&krachtlijn=verbindend", "#total:not(:empty)"),
    "no-results": ("/?q=xqzt%20vlmp", "#empty:not([hidden])"),
    "practice": ("/praktijk/babbelonie-2-0", "#similar li"),
    "over": ("/over", "#coverage:not([hidden])"),
    "widget": ("/widget", "praktijk-zoeker"),
    "docs": ("/docs", "#swagger-ui .opblock"),
    "form": ("/voorstellen", "#f-sectors input"),
    "404": ("/bestaat-niet", "h1"),
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def violations(page, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate("axe.run(document)")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:5]]}" for v in result["violations"]]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_no_axe_violations(server, browser, axe_source, name, size):
    path, ready = PAGES[name]
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.goto(server + path)
    page.wait_for_selector(ready, state="attached", timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert violations(page, axe_source) == []
    context.close()


def test_no_axe_violations_in_open_states(server, browser, axe_source):
    """Phone: filters open with definitions shown; the form with its errors; a widget with results."""
    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    page.goto(server + "/?q=ouderen")
    page.wait_for_selector("#results li.result")
    page.locator("#filters > summary").click()
    page.get_by_role("button", name="Uitleg bij de krachtlijnen").click()
    assert violations(page, axe_source) == []
    page.goto(server + "/voorstellen")
    page.wait_for_selector("#f-sectors input")
    page.click("#submit-button")
    page.wait_for_selector("#error-summary:not([hidden])")
    assert violations(page, axe_source) == []
    page.goto(server + "/widget")
    widget = page.locator("praktijk-zoeker").first
    widget.locator("input[type=search]").fill("eenzaamheid")
    widget.locator("input[type=search]").press("Enter")
    widget.locator("li.result").first.wait_for()
    assert violations(page, axe_source) == []
    context.close()


def test_no_axe_violations_in_the_api_docs_after_try_it_out(server, browser, axe_source):
    context = browser.new_context(viewport=SIZES["desktop"])
    page = context.new_page()
    page.goto(server + "/docs")
    block = page.locator("#operations-zoeken-search_api_search_get")
    block.locator(".opblock-summary-control").click()
    block.get_by_role("button", name="Try it out").click()
    block.locator("tr[data-param-name=q] input").fill("taal")
    with page.expect_response(lambda r: "/api/search" in r.url):
        block.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".live-responses-table")
    assert violations(page, axe_source) == []
    context.close()
