"""The <praktijk-zoeker> widget (issue 16): timeout with retry, 320 px, named landmarks, query help."""

from __future__ import annotations

import json
import time

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]


def test_widget_gives_up_after_about_8_seconds_and_can_retry(server, other_origin, page):
    hanging = []
    page.route("**/api/search?*", lambda route: hanging.append(route))  # the API never answers
    page.goto(other_origin + "/")
    widget = page.locator("praktijk-zoeker#alle")
    widget.locator("input[type=search]").fill("eenzaamheid")
    started = time.monotonic()
    widget.locator("input[type=search]").press("Enter")
    status = widget.locator(".status")
    assert status.inner_text() == "Zoeken…"
    retry = widget.get_by_role("button", name="Opnieuw proberen")
    retry.wait_for(timeout=60_000)  # a safety net for a loaded machine, not a timing
    assert time.monotonic() - started >= 6  # it waited for the server before giving up
    assert "antwoordt niet" in status.inner_text()
    assert "error" in status.get_attribute("class")
    page.unroute("**/api/search?*")
    retry.click()
    widget.locator("li.result").first.wait_for()
    assert not retry.is_visible()


def test_widget_fits_320_px(server, other_origin, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(other_origin + "/")
    widget = page.locator("praktijk-zoeker#alle")
    widget.locator("input[type=search]").fill("eenzaamheid bij ouderen")
    widget.locator("input[type=search]").press("Enter")
    widget.locator("li.result").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    # Its narrowest layout (as a flex or grid item that shrinks to fit) is well under 320 px.
    narrowest = widget.evaluate("e => { e.style.width = 'min-content'; return e.getBoundingClientRect().width; }")
    assert narrowest <= 300
    box = widget.evaluate("e => { e.style.width = '300px'; const b = e.shadowRoot.querySelector('.box'); "
                          "return [b.scrollWidth, b.clientWidth]; }")
    assert box[0] <= box[1] + 2  # nothing overflows inside it
    context.close()


def test_widgets_on_one_page_have_distinct_search_landmark_names(server, page):
    page.goto(server + "/widget")
    page.locator("praktijk-zoeker").first.wait_for()
    names = page.locator("praktijk-zoeker").evaluate_all("""els => els.map(e => {
        const form = e.shadowRoot.querySelector('form[role=search]');
        return e.shadowRoot.getElementById(form.getAttribute('aria-labelledby')).textContent; })""")
    assert len(names) == 2 and len(set(names)) == 2 and all(names)


def test_widget_renders_did_you_mean_and_nearest_when_sent(server, other_origin, page):
    def with_help(route):
        response = route.fetch()
        body = {**response.json(), "match": "nearest", "did_you_mean": "eenzaamheid"}
        route.fulfill(response=response, body=json.dumps(body))

    page.route("**/api/search?*", with_help)
    page.goto(other_origin + "/")
    widget = page.locator("praktijk-zoeker#alle")
    widget.locator("input[type=search]").fill("eenzaamhied")
    widget.locator("input[type=search]").press("Enter")
    widget.locator("li.result").first.wait_for()
    text = widget.locator(".help").inner_text()
    assert "Geen praktijk gaat precies over ‘eenzaamhied’. Deze liggen het dichtst in de buurt." in text
    assert "Bedoelde je eenzaamheid?" in text
    with page.expect_response(lambda r: "q=eenzaamheid" in r.url):
        widget.locator(".help").get_by_role("link", name="eenzaamheid").click()
    assert widget.locator("input[type=search]").input_value() == "eenzaamheid"
    page.unroute_all(behavior="ignoreErrors")


def test_widget_shows_no_help_without_those_fields(server, other_origin, page):
    page.goto(other_origin + "/")
    widget = page.locator("praktijk-zoeker#alle")
    widget.locator("input[type=search]").fill("eenzaamheid")
    widget.locator("input[type=search]").press("Enter")
    widget.locator("li.result").first.wait_for()
    assert widget.locator(".help").inner_text() == ""


def test_a_regional_widget_without_a_label_names_its_region(server, other_origin, page):
    page.goto(other_origin + "/")
    label = page.locator("praktijk-zoeker#limburg label")
    assert label.inner_text() == "Zoek een inspirerende praktijk in Limburg"
    assert page.locator("praktijk-zoeker#alle label").inner_text() == "Zoek een inspirerende praktijk"
