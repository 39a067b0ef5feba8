"""Issue 19: the search page asks for the facet kinds it shows, the widget for none."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_the_page_asks_for_its_three_facet_kinds_and_shows_their_counts(any_server, page):
    with page.expect_response(lambda r: "/api/search" in r.url) as info:
        page.goto(any_server + "/?q=eenzaamheid")
    response = info.value
    assert _query(response.url)["facets"] == ["krachtlijn,region,sector"]
    facets = response.json()["facets"]
    assert all(facets[kind] for kind in ("krachtlijn", "region", "sector"))
    page.wait_for_selector("#results li.result")
    region, count = next(iter(facets["region"].items()))
    label = page.locator(f"#filter-groups input[name=region][value='{region}']").locator("xpath=..")
    assert label.locator(".count").inner_text() == str(count)


def test_the_widget_asks_for_no_facets(server, other_origin, page):
    page.goto(other_origin + "/")
    widget = page.locator("praktijk-zoeker#alle")
    widget.locator("input[type=search]").fill("eenzaamheid")
    with page.expect_response(lambda r: "/api/search" in r.url) as info:
        widget.locator("input[type=search]").press("Enter")
    assert _query(info.value.url)["facets"] == [""]
    assert all(v is None for v in info.value.json()["facets"].values())
    widget.locator("li.result").first.wait_for()
