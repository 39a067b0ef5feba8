"""The Dutch submission form (/voorstellen) in Chromium: browser and server validation naming the
field, a draft through POST /api/submissions with its duplicate warning, drafts invisible, and the
same rate limit. The rate-limit test runs last: it uses up this client's submissions for a minute."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]

ORIGINAL = "babbelonie-2-0"


def open_form(server, page):
    page.goto(server + "/voorstellen")
    page.wait_for_selector("#f-sectors input[value=welzijn]")


def fill(page, *, title, summary, organisation="Vormingplus Test", region="oost-vlaanderen",
         municipality="", description=""):
    page.fill("#f-title", title)
    page.fill("#f-summary", summary)
    page.fill("#f-description", description)
    page.fill("#f-organisation", organisation)
    page.select_option("#f-region", region)
    page.fill("#f-municipality", municipality)
    page.check("#f-krachtlijnen input[value=verbindend]")
    page.check("#f-sectors input[value=inburgering]")


def test_browser_validation_names_each_field_and_sends_nothing(server, page):
    open_form(server, page)
    sent = []
    page.on("request", lambda r: sent.append(r.url) if "/api/submissions" in r.url else None)
    page.fill("#f-website", "avansa.be")
    page.click("#submit-button")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.evaluate("e => e === document.activeElement")
    text = summary.inner_text()
    for name in ("Titel", "Korte samenvatting", "Organisatie", "Regio", "Krachtlijnen", "Sectoren", "Website"):
        assert f"{name}:" in text, name
    assert page.get_attribute("#f-title", "aria-invalid") == "true"
    described = page.get_attribute("#f-title", "aria-describedby")
    assert "Titel: vul een titel in." in page.locator("#" + described.split()[-1]).inner_text()
    summary.get_by_role("link", name=re.compile("^Sectoren")).click()
    assert page.evaluate("document.activeElement.name") == "sectors"
    assert sent == []


def test_server_validation_is_shown_next_to_the_field(server, page):
    open_form(server, page)
    fill(page, title="Praatgroep in Nergensdorp", summary="Buren praten wekelijks samen over hun dorp.",
         region="", municipality="Nergensdorp")
    with page.expect_response(lambda r: r.url.endswith("/api/submissions")) as answer:
        page.click("#submit-button")
    assert answer.value.status == 422
    page.wait_for_selector("#f-region-error")
    assert page.inner_text("#f-region-error").startswith("Regio: ")
    assert page.get_attribute("#f-region", "aria-invalid") == "true"
    assert page.locator("#submit-form").is_visible()  # nothing lost


def test_a_draft_with_a_duplicate_warning_that_stays_invisible(server, page):
    original = httpx.get(f"{server}/api/practices/{ORIGINAL}").json()
    open_form(server, page)
    fill(page, title="Babbelonië gespreksgroepen Ronse", summary=original["summary"],
         description=original["description"], organisation=original["organisation"])
    with page.expect_response(lambda r: r.url.endswith("/api/submissions")) as answer:
        page.click("#submit-button")
    assert answer.value.status == 201
    draft_id = answer.value.json()["id"]
    result = page.locator("#result")
    result.wait_for()
    assert "Bedankt" in result.inner_text()
    assert "lijkt sterk op" in result.inner_text()
    assert result.locator(f"a[href='/praktijk/{ORIGINAL}']").count() == 1
    # A draft goes to the curators' queue, never to the public.
    assert httpx.get(f"{server}/api/practices/{draft_id}").status_code == 404
    assert httpx.get(f"{server}/praktijk/{draft_id}").status_code == 404
    found = httpx.get(f"{server}/api/search", params={"q": "Babbelonië gespreksgroepen Ronse", "per_page": 50}).json()
    assert draft_id not in [r["id"] for r in found["results"]]


def test_the_form_shares_the_api_rate_limit(server, page):
    """Runs last in this module: it uses up this client's submissions for a minute."""
    open_form(server, page)
    statuses = []
    for i in range(8):
        fill(page, title=f"Fietsherstelling in de wijk {i}", summary="Buren herstellen samen fietsen in een atelier.")
        with page.expect_response(lambda r: r.url.endswith("/api/submissions")) as answer:
            page.click("#submit-button")
        statuses.append(answer.value.status)
        if answer.value.status == 429:
            break
        page.goto(server + "/voorstellen")
        page.wait_for_selector("#f-sectors input[value=welzijn]")
    assert statuses[-1] == 429
    # The page renders the refusal after the response arrives: wait for it (a 30 s safety net,
    # not a timing). Reading the text at once raced the page's script on a loaded machine.
    expect(page.locator("#error-summary")).to_contain_text("Te veel inzendingen", timeout=30_000)
