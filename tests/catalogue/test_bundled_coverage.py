"""The bundled catalogue covers what social workers look for (checked over data/, no core)."""

from __future__ import annotations

import re

import pytest
import yaml

from catalogue.coverage import count_coverage, load_themes
from catalogue.model import parse_practice
from catalogue.vocab import KRACHTLIJNEN, REGIONS
from tests.conftest import ROOT

FILES = sorted((ROOT / "data" / "praktijken").glob("*.md"))


def _front_matter(path):
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---", 2)
    return yaml.safe_load(head), body


@pytest.fixture(scope="module")
def practices():
    out = []
    for path in FILES:
        data, body = _front_matter(path)
        out.append(parse_practice({**data, "description": body.strip()}, source=path.name))
    return out


def test_at_least_150_real_practices_each_with_a_source(practices):
    assert len(practices) >= 150
    for p in practices:
        assert p.source_url and re.match(r"^https?://[^\s/]+\.[^\s/]+", p.source_url), p.id
        assert p.last_reviewed is not None, p.id
        if isinstance(p.end_year, int) and p.start_year is not None:
            assert p.start_year <= p.end_year, p.id


def test_every_krachtlijn_region_cell_holds_three(practices):
    coverage = count_coverage(practices)
    thin = [(k, r, coverage.count(k, r)) for k in KRACHTLIJNEN.keys for r in REGIONS.keys
            if coverage.count(k, r) < 3]
    assert thin == []


def test_every_theme_holds_two(practices):
    coverage = count_coverage(practices)
    thin = {t.label: coverage.per_theme[t.key] for t in load_themes() if coverage.per_theme[t.key] < 2}
    assert len(load_themes()) == 29 and thin == {}


def test_descriptions_are_paragraphs_without_hard_line_breaks():
    for path in FILES:
        _, body = _front_matter(path)
        for paragraph in body.strip().split("\n\n"):
            assert "\n" not in paragraph.strip(), path.name


def test_no_private_contact_details(practices):
    for p in practices:
        if p.contact and "@" in p.contact:
            local = p.contact.split("@")[0].lower()
            assert "." not in local or local.startswith(("info", "contact")), (p.id, p.contact)
